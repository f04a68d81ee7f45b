import type { World } from '../data/world.js';
import type { Reply } from '../reply.js';
import { EmptyPageScope, emptyPageAt } from '../quirks.js';
import { cursorToken, parseCursorToken } from '../tokens.js';
import { listReply, objectReply } from './envelope.js';
import { idParam, limitParam, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/**
 * Membership pages hold up to 30000 people (§5.6). The default page size is not documented
 * (UNCONFIRMED); 1000 is used.
 */
export const MEMBERSHIP_LIMIT = { default: 1000, max: 30_000 };

/** A listed segment, or 404; also 404 for the one deleted since the list was read (data/deleted.ts). */
export function segmentIndex(world: World, params: Record<string, string>): number {
  const k = world.segments.indexOfId(idParam(params, 'segment_id'));
  if (k < 0 || world.deleted.isDeleted('segment', k)) throw notFound('segment');
  return k;
}

export function segmentRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/segments',
      handle: ({ world, now }) =>
        listReply('segments', Array.from({ length: world.segments.count }, (_, k) => world.segments.record(k, now))),
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
        return { status: 200, headers: {}, body: JSON.stringify({ segment_id: world.segments.idOf(k), count: world.segments.size(k) }) };
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
        // The raw body, not listReply: membership is unwrapped `{identifiers, ids, next}`, and
        // `segment_id` is not added (only S3 fixtures show it; UNCONFIRMED live, so omitted).
        if (position < size && hop === 0 && emptyPageAt(world.seed, scope, position)) {
          return membershipReply([], [], cursorToken(1, position));
        }
        const end = Math.min(size, position + limit);
        const identifiers = [];
        const ids: string[] = [];
        for (let j = position; j < end; j++) {
          const entry = world.people.identifiers(world.segments.member(k, j));
          identifiers.push(entry);
          // Members without a customer id appear as "" in `ids`.
          ids.push(entry.id ?? '');
        }
        // A full page always carries a `next`, even when nothing follows: the client learns the
        // end from the (empty) page after it, as with live cursors.
        const next = identifiers.length === limit ? cursorToken(0, end) : '';
        return membershipReply(identifiers, ids, next);
      },
    },
  ];
}

function membershipReply(identifiers: readonly unknown[], ids: readonly string[], next: string): Reply {
  return {
    status: 200,
    headers: {},
    body: JSON.stringify({
      identifiers: identifiers.length === 0 ? null : identifiers,
      ids: ids.length === 0 ? null : ids,
      next,
    }),
  };
}
