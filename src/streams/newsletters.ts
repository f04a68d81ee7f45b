import { defineStream } from '../engine/stream.js';

export const newsletters = defineStream({
  name: 'newsletters',
  scope: 'Newsletters',
  path: '/v1/newsletters',
  records: 'newsletters',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  // No maximum is documented; 100 is what Customer.io's own examples and Airbyte use.
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 100 } },
});

export const newsletterVariants = defineStream({
  name: 'newsletter_variants',
  scope: 'Newsletters',
  parent: newsletters,
  path: '/v1/newsletters/{id}/contents',
  records: 'contents',
  primaryKey: [['newsletter_id'], ['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
  fromParent: { newsletter_id: 'id' },
});

export const newsletterTestGroups = defineStream({
  name: 'newsletter_test_groups',
  scope: 'Newsletters',
  parent: newsletters,
  path: '/v1/newsletters/{id}/test_groups',
  records: 'test_groups',
  primaryKey: [['newsletter_id'], ['id']],
  pagination: { kind: 'none' },
  fromParent: { newsletter_id: 'id' },
});
