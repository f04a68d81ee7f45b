import { matchesAudience, parseAudienceFilter } from '../data/audience-filter.js';
import { FilterError } from '../data/filter-tree.js';
import { listedId, type IdentifiersEntry, type ServedCustomer } from '../data/people.js';
import type { World } from '../data/world.js';
import { ApiError } from '../reply.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { identifiersReply, listReply } from './envelope.js';
import { limitParam, malformed, startParam } from './params.js';
import type { Route } from './router.js';

/** "Up to 1000 people per page" (§5.7); the default is undocumented (UNCONFIRMED), 50 is used. */
export const SEARCH_LIMIT = { default: 50, max: 1000 };
/** POST /v1/customers/attributes takes at most 100 ids per call. */
export const MAX_ATTRIBUTE_IDS = 100;
/**
 * A search looks at no more than this many people per request. A selective filter can therefore
 * answer a short or even empty page that still has a `next`, as a real index scan would.
 */
export const SEARCH_SCAN_BUDGET = 25_000;

export function parseJsonBody(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ApiError(400, 'The request was malformed: the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, 'The request was malformed: the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function customerRoutes(): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/customers',
      handle: ({ world, now, query, body }) => {
        const json = parseJsonBody(body);
        if (!('filter' in json)) throw new ApiError(400, 'The request was malformed: filter is required');
        let filter;
        try {
          filter = parseAudienceFilter(json.filter);
        } catch (e) {
          if (e instanceof FilterError) throw new ApiError(400, `The request was malformed: ${e.message}`);
          throw e;
        }
        const limit = limitParam(query, SEARCH_LIMIT);
        const start = startParam(query);
        let p = start === undefined ? 0 : parseOffsetToken(start);
        // People created between syncs come after the generated ones (data/people-changes.ts).
        const total = world.people.total;
        const stop = Math.min(total, p + SEARCH_SCAN_BUDGET);
        const identifiers: IdentifiersEntry[] = [];
        for (; p < stop && identifiers.length < limit; p++) {
          if (matchesAudience(world, filter, p, now)) identifiers.push(world.people.identifiers(p));
        }
        return identifiersReply(identifiers, listedId, p < total ? offsetToken(p) : '');
      },
    },
    {
      method: 'POST',
      pattern: '/v1/customers/attributes',
      handle: ({ world, now, query, body }) => {
        const idType = query.get('id_type') ?? 'id';
        if (idType !== 'id' && idType !== 'cio_id' && idType !== 'email') throw malformed('id_type');
        const json = parseJsonBody(body);
        const ids = json.ids;
        if (!Array.isArray(ids)) throw new ApiError(400, 'The request was malformed: ids must be an array');
        if (ids.length > MAX_ATTRIBUTE_IDS) {
          throw new ApiError(400, `The request was malformed: at most ${MAX_ATTRIBUTE_IDS} ids per request`);
        }
        const seen = new Set<number>();
        const customers: ServedCustomer[] = [];
        for (const raw of ids) {
          if (typeof raw !== 'string' && typeof raw !== 'number') throw new ApiError(400, 'The request was malformed: ids must be strings');
          const p = lookup(world, idType, String(raw));
          // Unknown ids are silently left out (§5.7, live).
          if (p < 0 || seen.has(p)) continue;
          seen.add(p);
          customers.push(world.people.servedCustomer(p, now));
        }
        // Most items are bare, as S3 reports for live; one person in three comes wrapped as
        // {"customer": …} like the docs example, in the same answer (§7.12: accept both). No hits
        // gives `customers: null` (§4 style; UNCONFIRMED for this endpoint, the stricter choice).
        return listReply('customers', customers);
      },
    },
  ];
}

/** Person index by `id_type` (id, email, or cio_id with or without its `cio_` prefix); −1 for nobody or somebody gone. */
export function lookup(world: World, idType: 'id' | 'cio_id' | 'email', value: string): number {
  if (idType === 'cio_id') return world.people.indexOfCioId(value.startsWith('cio_') ? value.slice(4) : value);
  if (idType === 'id') return world.people.indexOfId(value);
  return world.people.indexOfEmail(value);
}
