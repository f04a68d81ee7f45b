import { FilterError } from '../data/filter-tree.js';
import { matchesObject, parseObjectFilter, type ObjectFilter } from '../data/object-filter.js';
import type { ObjectIdentifiers } from '../data/objects.js';
import type { World } from '../data/world.js';
import { hash32 } from '../random.js';
import { Tag } from '../tags.js';
import { ApiError } from '../reply.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { identifiersReply, listReply, objectReply } from './envelope.js';
import { parseJsonBody } from './customers.js';
import { limitParam, malformed, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/**
 * The spec declares no default and no maximum for object search `limit` (S11 getObjectsFilter;
 * UNCONFIRMED live): default 10 and a 1000 clamp, as for the other unbounded lists here.
 */
export const OBJECTS_LIMIT = { default: 10, max: 1000 };

/**
 * The docs warn that object search may return an object again on a later page (§7.9). Here a
 * page after the first starts by repeating the last object of the page before, at about one page
 * start in four (keyed by type and position), so a client must dedupe.
 */
export function repeatsPrevious(seed: number, typeIndex: number, position: number): boolean {
  return position > 0 && hash32(seed, Tag.objectPage, position, typeIndex) % 4 === 0;
}

function typeIndex(world: World, raw: string): number {
  const t = world.objects.typeIndexOfId(raw);
  if (t < 0) throw notFound('object type');
  return t;
}

export function objectRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/object_types',
      handle: ({ world }) =>
        listReply(
          'types',
          Array.from({ length: world.objects.typeCount }, (_, t) => world.objects.type(t)),
        ),
    },
    {
      method: 'POST',
      pattern: '/v1/objects',
      handle: ({ world, query, body }) => {
        const json = parseJsonBody(body);
        const rawType = json.object_type_id;
        if (typeof rawType !== 'string' && typeof rawType !== 'number') {
          throw new ApiError(400, 'The request was malformed: object_type_id is required');
        }
        if (!('filter' in json)) throw new ApiError(400, 'The request was malformed: filter is required');
        let filter: ObjectFilter;
        try {
          filter = parseObjectFilter(json.filter);
        } catch (e) {
          if (e instanceof FilterError) throw new ApiError(400, `The request was malformed: ${e.message}`);
          throw e;
        }
        const t = typeIndex(world, String(rawType));
        const limit = limitParam(query, OBJECTS_LIMIT);
        const start = startParam(query);
        let i = start === undefined ? 0 : parseOffsetToken(start);
        // Objects created between syncs come after the generated ones; deleted ones match nothing.
        const total = world.objects.size(t);
        const matches = (n: number): boolean => world.objects.exists(t, n) && matchesObject(filter, () => world.objects.current(t, n).attributes);
        const identifiers: ObjectIdentifiers[] = [];
        // The repeat takes a slot of the page, so it needs room for at least one new object.
        if (limit >= 2 && i <= total && repeatsPrevious(world.seed, t, i) && matches(i - 1)) {
          identifiers.push(world.objects.identifiers(t, i - 1));
        }
        for (; i < total && identifiers.length < limit; i++) {
          if (matches(i)) identifiers.push(world.objects.identifiers(t, i));
        }
        // Unwrapped like people search (envelope.ts identifiersReply).
        return identifiersReply(identifiers, (x) => x.object_id, i < total ? offsetToken(i) : '');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/objects/:object_type_id/:object_id/attributes',
      handle: ({ world, params, query }) => {
        const t = typeIndex(world, params['object_type_id'] ?? '');
        const idType = query.get('id_type') ?? 'object_id';
        if (idType !== 'object_id' && idType !== 'cio_object_id') throw malformed('id_type');
        const raw = params['object_id'] ?? '';
        const i = idType === 'object_id' ? world.objects.indexOfObjectId(t, raw) : world.objects.indexOfCioObjectId(t, raw);
        if (!world.objects.exists(t, i)) throw notFound('object');
        return objectReply('object', world.objects.current(t, i));
      },
    },
  ];
}
