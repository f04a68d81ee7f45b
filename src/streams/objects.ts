import { defineStream, type Row } from '../engine/stream.js';
import { activityFeed, objectOf } from './activity-feed.js';
import { unpagedList } from './lists.js';

const DAY = 86_400;

export const objectTypes = unpagedList('object_types', '/v1/object_types', 'types', 'Objects');

/** Every object of a type: object_id exists on all of them. */
export const everyObject = (type: Row | undefined) => ({
  object_type_id: String(type?.['id']),
  filter: { and: [{ object_attribute: { field: 'object_id', operator: 'exists', type_id: String(type?.['id']) } }] },
});

/**
 * The workspace activity feed, as objects' feed of changes: per object type, the types
 * `_o:<object_type_id>:create|attribute_change|delete` (customerio-api.md §5.3). A deleted
 * object's activities are served only with deleted=true, as a deleted person's are.
 */
const objectFeed = activityFeed({
  walks: (type) => {
    const id = String(type?.['id']);
    return [
      { query: { type: `_o:${id}:create` } },
      { query: { type: `_o:${id}:attribute_change` } },
      { query: { type: `_o:${id}:delete`, deleted: true }, removes: true },
    ];
  },
  keyOf: objectOf,
});

/** The object_ids of a type, by search. No page size is documented for object search: a conservative 100. */
export const objectSearch = {
  path: '/v1/objects',
  body: everyObject,
  pageSize: 100,
  idsFrom: (body: Row): string[] => (Array.isArray(body['identifiers']) ? body['identifiers'].map((i: Row) => String(i['object_id'])) : []),
};

export const objects = defineStream({
  name: 'objects',
  scope: 'Objects',
  personalData: true,
  resumable: true,
  parent: objectTypes,
  path: '/v1/objects',
  method: 'POST',
  records: 'identifiers',
  primaryKey: [['object_type_id'], ['object_id']],
  // Within a type the object_id is the key: the feed names it, the attributes request takes it.
  fromParent: { object_type_id: 'id' },
  // objects_full_every_days sets how often every object is read again (streams/settings.ts).
  cursor: { mode: 'change-feed', field: 'changed_at', feed: objectFeed, fullEverySeconds: 7 * DAY },
  // The search may repeat an object across pages.
  dedupe: true,
  pagination: {
    kind: 'search-then-hydrate',
    search: objectSearch,
    hydrate: {
      batchSize: 1,
      request: ([id], type) => ({
        path: `/v1/objects/${encodeURIComponent(String(type?.['id']))}/${encodeURIComponent(String(id))}/attributes`,
        query: { id_type: 'object_id' },
      }),
      records: (body) => (body['object'] && typeof body['object'] === 'object' ? [body['object'] as Row] : []),
    },
  },
  transform: (object, type) => {
    const identifiers = (object['identifiers'] ?? {}) as Row;
    return {
      ...object,
      object_type_id: String(object['object_type_id'] ?? type?.['id']),
      object_id: identifiers['object_id'] ?? null,
      cio_object_id: identifiers['cio_object_id'] ?? null,
    };
  },
});
