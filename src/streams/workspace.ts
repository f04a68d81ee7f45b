import { defineStream, type Row } from '../engine/stream.js';

/** Small unpaged lists of workspace configuration. */
function configList(name: string, path: string, records: string, scope: string, primaryKey: string[][] = [['id']]) {
  return defineStream({ name, schemaFile: `${name}.json`, scope, path, records, primaryKey, pagination: { kind: 'none' } });
}

export const workspaces = configList('workspaces', '/v1/workspaces', 'workspaces', 'Workspaces');
export const subscriptionTopics = configList('subscription_topics', '/v1/subscription_topics', 'topics', 'Subscription center');
export const subscriptionChannels = configList('subscription_channels', '/v1/subscription_channels', 'channels', 'Subscription center');
export const objectTypes = configList('object_types', '/v1/object_types', 'types', 'Objects');

export const senderIdentities = defineStream({
  name: 'sender_identities',
  schemaFile: 'sender_identities.json',
  scope: 'Sender identities',
  // hidden=true answers only the hidden senders (the spec says "adds"): read both, emit each id once.
  fixedPartitions: { rows: [{ hidden: false }, { hidden: true }], key: (row) => `hidden=${String(row['hidden'])}` },
  path: '/v1/sender_identities',
  query: (partition) => ({ hidden: partition?.['hidden'] === true }),
  records: 'sender_identities',
  primaryKey: [['id']],
  dedupe: true,
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 100 } },
});

export const snippets = defineStream({
  name: 'snippets',
  schemaFile: 'snippets.json',
  scope: 'Snippets',
  path: '/v1/snippets',
  records: 'snippets',
  primaryKey: [['name']],
  cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
});

export const collections = defineStream({
  name: 'collections',
  schemaFile: 'collections.json',
  scope: 'Collections',
  path: '/v1/collections',
  records: 'collections',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
});

export const exportsStream = defineStream({
  name: 'exports',
  schemaFile: 'exports.json',
  scope: 'Exports',
  path: '/v1/exports',
  records: 'exports',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
});

const SECRET_PARAM = /token|key|secret|pass(word)?|auth|sig(nature)?|credential/i;

/** A webhook URL without the user:password@ part and without secret-looking query parameters. */
export function withoutCredentials(endpoint: unknown): unknown {
  if (typeof endpoint !== 'string') return endpoint;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint.replace(/\/\/[^/@\s]*@/, '//');
  }
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) if (SECRET_PARAM.test(name)) url.searchParams.delete(name);
  return url.toString();
}

export const reportingWebhooks = defineStream({
  name: 'reporting_webhooks',
  schemaFile: 'reporting_webhooks.json',
  scope: 'Reporting webhooks',
  path: '/v1/reporting_webhooks',
  records: 'reporting_webhooks',
  primaryKey: [['id']],
  pagination: { kind: 'none' },
  transform: (hook: Row) => ({ ...hook, endpoint: withoutCredentials(hook['endpoint']) }),
});
