import { defineStream } from '../engine/stream.js';

export const transactionalMessages = defineStream({
  name: 'transactional_messages',
  scope: 'Transactional messages',
  path: '/v1/transactional',
  records: 'messages',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
});
