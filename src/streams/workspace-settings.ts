import { defineStream, type Row } from '../engine/stream.js';
import { unpagedList } from './lists.js';
import { withoutCredentials } from './secrets.js';

/** The workspace itself and its settings: counts, senders, the subscription center, reporting webhooks. */
export const workspaces = unpagedList('workspaces', '/v1/workspaces', 'workspaces', 'Workspaces');
export const subscriptionTopics = unpagedList('subscription_topics', '/v1/subscription_topics', 'topics', 'Subscription center');
export const subscriptionChannels = unpagedList('subscription_channels', '/v1/subscription_channels', 'channels', 'Subscription center');

export const senderIdentities = defineStream({
  name: 'sender_identities',
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
  scope: 'Reporting webhooks',
  path: '/v1/reporting_webhooks',
  records: 'reporting_webhooks',
  primaryKey: [['id']],
  pagination: { kind: 'none' },
  transform: (hook: Row) => ({ ...hook, endpoint: withoutCredentials(hook['endpoint']) }),
});
