import type { World } from '../data/world.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { lookup } from './customers.js';
import { listReply } from './envelope.js';
import { limitParam, malformed, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/**
 * Neither relationship list declares a `limit` default or maximum (S11 getObjectRelationships,
 * getPersonRelationships; UNCONFIRMED live): default 10 and a 1000 clamp, as for the other
 * unbounded lists here.
 */
export const RELATIONSHIPS_LIMIT = { default: 10, max: 1000 };

/**
 * One page of a list computed whole (a relationship list is short): offset tokens, `next` ""
 * on the last page. Offsets count the list as it is at each request, so a relationship removed
 * between two pages shifts the rest by one (a reader that pages while the workspace changes can
 * miss one, as with any offset paging).
 */
function page<T>(key: string, query: URLSearchParams, all: readonly T[]): ReturnType<typeof listReply> {
  const limit = limitParam(query, RELATIONSHIPS_LIMIT);
  const start = startParam(query);
  const from = start === undefined ? 0 : parseOffsetToken(start);
  const end = Math.min(all.length, from + limit);
  return listReply(key, all.slice(from, end), end < all.length ? offsetToken(end) : '');
}

function objectIndex(world: World, rawType: string, rawId: string, idType: string): [number, number] {
  const t = world.objects.typeIndexOfId(rawType);
  if (t < 0) throw notFound('object type');
  if (idType !== 'object_id' && idType !== 'cio_object_id') throw malformed('id_type');
  const i = idType === 'object_id' ? world.objects.indexOfObjectId(t, rawId) : world.objects.indexOfCioObjectId(t, rawId);
  if (!world.objects.exists(t, i)) throw notFound('object');
  return [t, i];
}

export function relationshipRoutes(): Route[] {
  return [
    {
      // The people related to an object (§5.10): identifiers of each, object_type_id a string.
      method: 'GET',
      pattern: '/v1/objects/:object_type_id/:object_id/relationships',
      handle: ({ world, params, query }) => {
        const [t, i] = objectIndex(world, params['object_type_id'] ?? '', params['object_id'] ?? '', query.get('id_type') ?? 'object_id');
        const people = world.relationships.related(t, i);
        return page(
          'cio_relationships',
          query,
          people.map((p) => world.relationships.objectSideRecord(t, p)),
        );
      },
    },
    {
      // The objects a person is related to (§5.7), with the relationship's attributes; object_type_id an integer.
      method: 'GET',
      pattern: '/v1/customers/:customer_id/relationships',
      handle: ({ world, params, query }) => {
        const idType = query.get('id_type') ?? 'id';
        if (idType !== 'id' && idType !== 'cio_id' && idType !== 'email') throw malformed('id_type');
        const p = lookup(world, idType, params['customer_id'] ?? '');
        if (p < 0) throw notFound('customer');
        const objects = world.relationships.objectsOf(p);
        return page(
          'cio_relationships',
          query,
          objects.map((o) => world.relationships.personSideRecord(o.t, o.i, p)),
        );
      },
    },
  ];
}
