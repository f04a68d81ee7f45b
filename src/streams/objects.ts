import type { ApiRequest } from '../http/client.js';
import { defineStream, type Row } from '../engine/stream.js';
import { activityFeed, objectOf } from './activity-feed.js';
import { unpagedList } from './lists.js';

const DAY = 86_400;

export const objectTypes = unpagedList('object_types', '/v1/object_types', 'types', 'Objects');

/** Every object of a type: object_id exists on all of them. */
const everyObject = (type: Row | undefined) => ({
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

/**
 * What every stream read object by object shares: per object type, the type's objects found by
 * search (which may repeat one across pages), each then asked for on its own, by object_id.
 * object_type_id comes from the type.
 */
export const perObject = {
  scope: 'Objects',
  personalData: true,
  resumable: true,
  parent: objectTypes,
  path: '/v1/objects',
  method: 'POST',
  records: 'identifiers',
  fromParent: { object_type_id: 'id' },
  dedupe: true,
} as const;

/** GET /v1/objects/{type}/{object_id}/<what> of one object, by object_id. */
export function objectRequest(type: Row | undefined, id: string | undefined, what: string, query: Record<string, string | number> = {}): ApiRequest {
  return {
    path: `/v1/objects/${encodeURIComponent(String(type?.['id']))}/${encodeURIComponent(String(id))}/${what}`,
    query: { id_type: 'object_id', ...query },
  };
}

export const objects = defineStream({
  name: 'objects',
  ...perObject,
  primaryKey: [['object_type_id'], ['object_id']],
  // objects_full_every_days sets how often every object is read again (streams/settings.ts).
  cursor: { mode: 'change-feed', field: 'changed_at', feed: objectFeed, fullEverySeconds: 7 * DAY },
  pagination: {
    kind: 'search-then-hydrate',
    search: objectSearch,
    hydrate: {
      batchSize: 1,
      request: ([id], type) => objectRequest(type, id, 'attributes'),
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
