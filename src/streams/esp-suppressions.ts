import { defineStream } from '../engine/stream.js';

export const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

export const espSuppressions = defineStream({
  name: 'esp_suppressions',
  scope: 'ESP suppressions',
  personalData: true,
  fixedPartitions: { rows: SUPPRESSION_TYPES.map((type) => ({ type })), key: (row) => String(row['type']) },
  path: '/v1/esp/suppression/{type}',
  records: 'suppressions',
  primaryKey: [['suppression_type'], ['email']],
  pagination: { kind: 'offset', limitParam: 'limit', offsetParam: 'offset', pageSize: 1000 },
  transform: (row, partition) => ({ suppression_type: partition?.['type'] ?? null, ...row }),
});
