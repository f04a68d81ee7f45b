import { defineStream, type Row } from '../engine/stream.js';

/** Matches every person: each profile has a cio_id. */
export const EVERYONE = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

function searchIds(body: Row): string[] {
  const identifiers = body['identifiers'];
  if (Array.isArray(identifiers)) return identifiers.map((entry: Row) => String(entry['cio_id']));
  const ids = body['ids'];
  return Array.isArray(ids) ? ids.map(String) : [];
}

/** Docs show each item wrapped as {customer: {...}}, live answers are bare: accept both. */
function customers(body: Row): Row[] {
  const list = body['customers'];
  if (!Array.isArray(list)) return [];
  return list.map((item: Row) => (item['customer'] && typeof item['customer'] === 'object' ? (item['customer'] as Row) : item));
}

export const people = defineStream({
  name: 'people',
  scope: 'People',
  personalData: true,
  resumable: true,
  estimateFrom: 'people',
  method: 'POST',
  path: '/v1/customers',
  records: customers,
  primaryKey: [['cio_id']],
  pagination: {
    kind: 'search-then-hydrate',
    search: { path: '/v1/customers', body: () => EVERYONE, pageSize: 1000, idsFrom: searchIds },
    hydrate: {
      batchSize: 100,
      request: (ids) => ({ method: 'POST', path: '/v1/customers/attributes', query: { id_type: 'cio_id' }, body: { ids } }),
      records: customers,
    },
  },
  transform: (person) => {
    const identifiers = person['identifiers'] as Row | undefined;
    return { cio_id: identifiers?.['cio_id'] ?? person['cio_id'] ?? null, ...person };
  },
});
