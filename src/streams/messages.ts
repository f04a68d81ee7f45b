import { defineStream } from '../engine/stream.js';

export const messages = defineStream({
  name: 'messages',
  scope: 'Messages (deliveries)',
  personalData: true,
  // Messages sent in the current billing period: a floor for a first read, near the truth after.
  estimateFrom: 'messages_sent',
  path: '/v1/messages',
  records: 'messages',
  primaryKey: [['id']],
  cursor: {
    mode: 'server-window',
    field: 'created',
    startParam: 'start_ts',
    endParam: 'end_ts',
    // The API answers at most 6 months per request.
    maxWindowSeconds: 182 * 86_400,
    // Delivery metrics (opened, clicked…) change after creation: re-read that long (the config's
    // messages_lookback_days replaces it, see settings.ts).
    lookbackSeconds: 30 * 86_400,
    // Without start_date every delivery is read: Customer.io has sent nothing before 2012, and each
    // empty six-month window before the first delivery costs one request.
    earliest: Date.UTC(2012, 0, 1) / 1000,
  },
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 1000 } },
  history:
    'every delivery from `start_date` (all history when unset), in windows of at most 6 months with both bounds: never the 6 months the API answers without them',
});
