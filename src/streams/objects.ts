import { defineStream, type Row } from '../engine/stream.js';
import { unpagedList } from './lists.js';

export const objectTypes = unpagedList('object_types', '/v1/object_types', 'types', 'Objects');

/** Every object of a type: object_id exists on all of them. */
const everyObject = (type: Row | undefined) => ({
  object_type_id: String(type?.['id']),
  filter: { and: [{ object_attribute: { field: 'object_id', operator: 'exists', type_id: String(type?.['id']) } }] },
});

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
  // The search may repeat an object across pages.
  dedupe: true,
  pagination: {
    kind: 'search-then-hydrate',
    // No page size is documented for object search: a conservative 100.
    search: {
      path: '/v1/objects',
      body: everyObject,
      pageSize: 100,
      idsFrom: (body) => (Array.isArray(body['identifiers']) ? body['identifiers'].map((i: Row) => String(i['object_id'])) : []),
    },
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
