import { defineStream, type Row } from '../engine/stream.js';

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

/** Adds the newsletter's id to a child record that may not carry it. */
const withNewsletterId = (record: Row, newsletter: Row | undefined): Row => ({ ...record, newsletter_id: record['newsletter_id'] ?? newsletter?.['id'] ?? null });

export const newsletterVariants = defineStream({
  name: 'newsletter_variants',
  schemaFile: 'newsletter_variants.json',
  scope: 'Newsletters',
  parent: { stream: newsletters, key: (n) => String(n['id']), onGone: 'skip' },
  path: (n) => `/v1/newsletters/${encodeURIComponent(String(n['id']))}/contents`,
  records: 'contents',
  primaryKey: [['newsletter_id'], ['id']],
  pagination: { kind: 'none' },
  transform: withNewsletterId,
});

export const newsletterTestGroups = defineStream({
  name: 'newsletter_test_groups',
  schemaFile: 'newsletter_test_groups.json',
  scope: 'Newsletters',
  parent: { stream: newsletters, key: (n) => String(n['id']), onGone: 'skip' },
  path: (n) => `/v1/newsletters/${encodeURIComponent(String(n['id']))}/test_groups`,
  records: 'test_groups',
  primaryKey: [['newsletter_id'], ['id']],
  pagination: { kind: 'none' },
  transform: withNewsletterId,
});
