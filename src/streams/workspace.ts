import { defineStream, type Row } from '../engine/stream.js';
import { withoutCredentials } from './secrets.js';

/** Small unpaged lists of workspace configuration. */
function configList(name: string, path: string, records: string, scope: string, primaryKey: string[][] = [['id']]) {
  return defineStream({ name, schemaFile: `${name}.json`, scope, path, records, primaryKey, pagination: { kind: 'none' } });
}

export const workspaces = configList('workspaces', '/v1/workspaces', 'workspaces', 'Workspaces');
export const subscriptionTopics = configList('subscription_topics', '/v1/subscription_topics', 'topics', 'Subscription center');
export const subscriptionChannels = configList('subscription_channels', '/v1/subscription_channels', 'channels', 'Subscription center');
export const objectTypes = configList('object_types', '/v1/object_types', 'types', 'Objects');

/** Unpaged lists with an updated_at the API cannot filter on. */
function updatedList(name: string, path: string, records: string, scope: string, primaryKey: string[][] = [['id']]) {
  return defineStream({
    name,
    schemaFile: `${name}.json`,
    scope,
    path,
    records,
    primaryKey,
    cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 3600 },
    pagination: { kind: 'none' },
  });
}

export const snippets = updatedList('snippets', '/v1/snippets', 'snippets', 'Snippets', [['name']]);
export const collections = updatedList('collections', '/v1/collections', 'collections', 'Collections');
export const exportsStream = updatedList('exports', '/v1/exports', 'exports', 'Exports');

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
