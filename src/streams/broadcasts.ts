import { defineStream, type Row } from '../engine/stream.js';
import { withoutActionSecrets } from './secrets.js';

/**
 * `msg_template_ids` comes as `[{type, id}]` or as bare ids (type drift): a bare id gets its type
 * back from the `actions` entry with the same id, so the column keeps one shape.
 */
function withTemplateRefs(broadcast: Row): Row {
  const refs = broadcast['msg_template_ids'];
  if (!Array.isArray(refs) || !refs.some((ref) => typeof ref !== 'object' || ref === null)) return broadcast;
  const actions = Array.isArray(broadcast['actions']) ? (broadcast['actions'] as Row[]) : [];
  const typeOf = (id: unknown): unknown => actions.find((action) => String(action?.['id']) === String(id))?.['type'] ?? null;
  return { ...broadcast, msg_template_ids: refs.map((ref) => (typeof ref === 'object' && ref !== null ? ref : { type: typeOf(ref), id: ref })) };
}

export const broadcasts = defineStream({
  name: 'broadcasts',
  scope: 'Broadcasts',
  path: '/v1/broadcasts',
  records: 'broadcasts',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
  transform: withTemplateRefs,
});

export const broadcastActions = defineStream({
  name: 'broadcast_actions',
  scope: 'Broadcasts',
  parent: broadcasts,
  path: '/v1/broadcasts/{id}/actions',
  records: 'actions',
  primaryKey: [['broadcast_id'], ['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  // The spec declares no paging here, but a `next` has been seen: follow it when present.
  pagination: { kind: 'cursor', next: 'next', param: 'start' },
  fromParent: { broadcast_id: 'id' },
  transform: withoutActionSecrets,
});

export const broadcastTriggers = defineStream({
  name: 'broadcast_triggers',
  scope: 'Broadcasts',
  parent: broadcasts,
  path: '/v1/broadcasts/{id}/triggers',
  records: 'triggers',
  primaryKey: [['broadcast_id'], ['id']],
  pagination: { kind: 'none' },
  fromParent: { broadcast_id: 'id' },
});
