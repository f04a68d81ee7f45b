import { defineStream } from '../engine/stream.js';
import { withoutActionSecrets } from './secrets.js';

export const campaigns = defineStream({
  name: 'campaigns',
  scope: 'Campaigns',
  path: '/v1/campaigns',
  records: 'campaigns',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
});

export const campaignsActions = defineStream({
  name: 'campaigns_actions',
  scope: 'Campaigns',
  parent: campaigns,
  path: '/v1/campaigns/{id}/actions',
  records: 'actions',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated', lookbackSeconds: 3600 },
  // Fixed pages of 10: the endpoint takes no limit.
  pagination: { kind: 'cursor', next: 'next', param: 'start' },
  transform: withoutActionSecrets,
});
