import { defineStream } from '../engine/stream.js';

export const activities = defineStream({
  name: 'activities',
  scope: 'Activities',
  personalData: true,
  path: '/v1/activities',
  records: 'activities',
  primaryKey: [['id']],
  // Newest first, no time filter, 30 days retained.
  cursor: { mode: 'feed', field: 'timestamp' },
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 100 } },
  history: 'what the API retains: 30 days are guaranteed, older ones are read while the feed still serves them; nothing before `start_date`',
});
