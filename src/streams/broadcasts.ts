import { defineStream, type Row } from '../engine/stream.js';
import { withoutActionSecrets } from './secrets.js';

export const broadcasts = defineStream({
  name: 'broadcasts',
  schemaFile: 'broadcasts.json',
  scope: 'Broadcasts',
  path: '/v1/broadcasts',
  records: 'broadcasts',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
});

const withBroadcastId = (record: Row, broadcast: Row | undefined): Row => ({ ...record, broadcast_id: record['broadcast_id'] ?? broadcast?.['id'] ?? null });

export const broadcastActions = defineStream({
  name: 'broadcast_actions',
  schemaFile: 'broadcast_actions.json',
  scope: 'Broadcasts',
  parent: { stream: broadcasts, key: (b) => String(b['id']), onGone: 'skip' },
  path: (b) => `/v1/broadcasts/${encodeURIComponent(String(b['id']))}/actions`,
  records: 'actions',
  primaryKey: [['broadcast_id'], ['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  // The spec declares no paging here, but a `next` has been seen: follow it when present.
  pagination: { kind: 'cursor', next: 'next', param: 'start' },
  transform: (action, broadcast) => withoutActionSecrets(withBroadcastId(action, broadcast)),
});

export const broadcastTriggers = defineStream({
  name: 'broadcast_triggers',
  schemaFile: 'broadcast_triggers.json',
  scope: 'Broadcasts',
  parent: { stream: broadcasts, key: (b) => String(b['id']), onGone: 'skip' },
  path: (b) => `/v1/broadcasts/${encodeURIComponent(String(b['id']))}/triggers`,
  records: 'triggers',
  primaryKey: [['broadcast_id'], ['id']],
  pagination: { kind: 'none' },
  transform: withBroadcastId,
});
