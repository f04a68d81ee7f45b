import { defineStream } from '../engine/stream.js';

export const messages = defineStream({
  name: 'messages',
  schemaFile: 'messages.json',
  scope: 'Messages (deliveries)',
  personalData: true,
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
    // Delivery metrics (opened, clicked…) change after creation: re-read that many days.
    lookbackDays: 'messages_lookback_days',
    defaultHistoryDays: 365,
  },
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 1000 } },
});
