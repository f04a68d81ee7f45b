import { listedSegments } from '../data/listed.js';
import { listedId, type IdentifiersEntry } from '../data/people.js';
import type { World } from '../data/world.js';
import { emptyPageAt } from '../quirks.js';
import { EmptyPageScope } from '../tags.js';
import { cursorToken, parseCursorToken } from '../tokens.js';
import { identifiersReply, listReply, objectReply } from './envelope.js';
import { idParam, limitParam, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/**
 * Membership pages hold up to 30000 people (§5.6). The default page size is not documented
 * (UNCONFIRMED); 1000 is used.
 */
export const MEMBERSHIP_LIMIT = { default: 1000, max: 30_000 };

/**
 * A listed segment, or 404; also 404 for the one deleted since the list was read
 * (data/deleted.ts) and for one deleted between syncs (data/deletions.ts).
 */
export function segmentIndex(world: World, params: Record<string, string>): number {
  const id = idParam(params, 'segment_id');
  const k = world.segments.indexOfId(id);
  if (k < 0 || world.deleted.isDeleted('segment', k) || world.deletions.has('segment', id)) throw notFound('segment');
  return k;
}

export function segmentRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/segments',
      handle: ({ world, now }) =>
        listReply(
          'segments',
          listedSegments(world).map((k) => world.segments.record(k, now)),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/segments/:segment_id',
      handle: ({ world, now, params }) => objectReply('segment', world.segments.record(segmentIndex(world, params), now)),
    },
    {
      method: 'GET',
      pattern: '/v1/segments/:segment_id/customer_count',
      handle: ({ world, params }) => {
        const k = segmentIndex(world, params);
        // People deleted or merged away between syncs (data/people-changes.ts) left it.
        let gone = 0;
        for (const p of world.people.changes.departures().keys()) if (world.segments.isMember(k, p)) gone++;
        return { status: 200, headers: {}, body: JSON.stringify({ segment_id: world.segments.idOf(k), count: world.segments.size(k) - gone }) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/segments/:segment_id/membership',
      handle: ({ world, params, query }) => {
        const k = segmentIndex(world, params);
        const limit = limitParam(query, MEMBERSHIP_LIMIT);
        const start = startParam(query);
        const { hop, position } = start === undefined ? { hop: 0, position: 0 } : parseCursorToken(start);
        const size = world.segments.size(k);
        const scope = EmptyPageScope.segmentBase + world.segments.idOf(k);
        // Unwrapped `{identifiers, ids, next}`, not listReply; `segment_id` is not added (only S3
        // fixtures show it; UNCONFIRMED live, so omitted).
        if (position < size && hop === 0 && emptyPageAt(world.seed, scope, position)) {
          return identifiersReply([], listedId, cursorToken(1, position));
        }
        const end = Math.min(size, position + limit);
        const identifiers: IdentifiersEntry[] = [];
        for (let j = position; j < end; j++) {
          const p = world.segments.member(k, j);
          // People deleted or merged away between syncs are no member; their slot stays empty.
          if (world.people.exists(p)) identifiers.push(world.people.identifiers(p));
        }
        // A full page always carries a `next`, even when nothing follows: the client learns the
        // end from the (empty) page after it, as with live cursors. Members without a customer
        // id appear as "" in `ids` (listedId).
        const next = end - position === limit ? cursorToken(0, end) : '';
        return identifiersReply(identifiers, listedId, next);
      },
    },
  ];
}
