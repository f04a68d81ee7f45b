import { defineStream } from '../engine/stream.js';

export const newsletters = defineStream({
  name: 'newsletters',
  schemaFile: 'newsletters.json',
  scope: 'Newsletters',
  path: '/v1/newsletters',
  records: 'newsletters',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  // No maximum is documented; 100 is what Customer.io's own examples and Airbyte use.
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 100 } },
});
