import { defineStream, type MetricsApi, type Row, type StreamDef } from '../engine/stream.js';
import { broadcastActions, broadcasts } from './broadcasts.js';
import { campaigns, campaignsActions } from './campaigns.js';
import { newsletters } from './newsletters.js';
import { transactionalMessages } from './transactional.js';

const id = (row: Row): string => encodeURIComponent(String(row['id']));

/** One record per entity (and link) and time bucket; keys include the resolution so a change of it never collides. */
function metricsStream(spec: {
  name: string;
  scope: string;
  parent: StreamDef;
  path: (parent: Row) => string;
  api: MetricsApi;
  ids: (parent: Row) => Row;
  keys: string[];
}): StreamDef {
  return defineStream({
    name: spec.name,
    schemaFile: `${spec.name}.json`,
    scope: spec.scope,
    parent: { stream: spec.parent, key: (row) => String(row['id']), onGone: 'skip' },
    path: spec.path,
    records: 'metric',
    primaryKey: [...spec.keys, 'resolution', 'period_start'].map((key) => [key]),
    cursor: { mode: 'metrics', field: 'period_start', api: spec.api, ids: spec.ids },
    pagination: { kind: 'none' },
    history: METRICS_HISTORY[spec.api.kind],
  });
}

/** What each metrics API lets a first sync reach. */
const METRICS_HISTORY: Record<MetricsApi['kind'], string> = {
  v2: 'buckets from `start_date` (one year back when unset), one request per entity',
  journey: 'buckets from `start_date` (one year back when unset), one request per entity',
  v1: 'the API\'s `steps` maximum: the last 24 hours, 45 days, 12 weeks or 121 months (a WARN says when `start_date` asks for more)',
  'v1-links': 'the API\'s `steps` maximum: the last 24 hours, 45 days, 12 weeks or 121 months (a WARN says when `start_date` asks for more)',
};

const campaignIds = (c: Row): Row => ({ campaign_id: c['id'] });
const actionIds = (a: Row): Row => ({ campaign_id: a['campaign_id'], action_id: a['id'] });

export const campaignMetrics = metricsStream({
  name: 'campaign_metrics',
  scope: 'Campaigns',
  parent: campaigns,
  path: (c) => `/v1/campaigns/${id(c)}/metrics`,
  api: { kind: 'v2' },
  ids: campaignIds,
  keys: ['campaign_id'],
});

export const campaignActionMetrics = metricsStream({
  name: 'campaign_action_metrics',
  scope: 'Campaigns',
  parent: campaignsActions,
  path: (a) => `/v1/campaigns/${encodeURIComponent(String(a['campaign_id']))}/actions/${id(a)}/metrics`,
  api: { kind: 'v2' },
  ids: actionIds,
  keys: ['campaign_id', 'action_id'],
});

export const campaignJourneyMetrics = metricsStream({
  name: 'campaign_journey_metrics',
  scope: 'Campaigns',
  parent: campaigns,
  path: (c) => `/v1/campaigns/${id(c)}/journey_metrics`,
  api: { kind: 'journey' },
  ids: campaignIds,
  keys: ['campaign_id'],
});

export const newsletterMetrics = metricsStream({
  name: 'newsletter_metrics',
  scope: 'Newsletters',
  parent: newsletters,
  path: (n) => `/v1/newsletters/${id(n)}/metrics`,
  api: { kind: 'v1' },
  ids: (n) => ({ newsletter_id: n['id'] }),
  keys: ['newsletter_id'],
});

export const broadcastMetrics = metricsStream({
  name: 'broadcast_metrics',
  scope: 'Broadcasts',
  parent: broadcasts,
  path: (b) => `/v1/broadcasts/${id(b)}/metrics`,
  api: { kind: 'v1' },
  ids: (b) => ({ broadcast_id: b['id'] }),
  keys: ['broadcast_id'],
});

export const broadcastActionMetrics = metricsStream({
  name: 'broadcast_action_metrics',
  scope: 'Broadcasts',
  parent: broadcastActions,
  path: (a) => `/v1/broadcasts/${encodeURIComponent(String(a['broadcast_id']))}/actions/${id(a)}/metrics`,
  api: { kind: 'v1' },
  ids: (a) => ({ broadcast_id: a['broadcast_id'], action_id: a['id'] }),
  keys: ['broadcast_id', 'action_id'],
});

export const transactionalMetrics = metricsStream({
  name: 'transactional_metrics',
  scope: 'Transactional messages',
  parent: transactionalMessages,
  path: (t) => `/v1/transactional/${id(t)}/metrics`,
  api: { kind: 'v1' },
  ids: (t) => ({ transactional_message_id: t['id'] }),
  keys: ['transactional_message_id'],
});

export const campaignLinkMetrics = metricsStream({
  name: 'campaign_link_metrics',
  scope: 'Campaigns',
  parent: campaigns,
  path: (c) => `/v1/campaigns/${id(c)}/metrics/links`,
  api: { kind: 'v1-links' },
  ids: campaignIds,
  keys: ['campaign_id', 'link_id'],
});

export const newsletterLinkMetrics = metricsStream({
  name: 'newsletter_link_metrics',
  scope: 'Newsletters',
  parent: newsletters,
  path: (n) => `/v1/newsletters/${id(n)}/metrics/links`,
  api: { kind: 'v1-links' },
  ids: (n) => ({ newsletter_id: n['id'] }),
  keys: ['newsletter_id', 'link_id'],
});

export const transactionalLinkMetrics = metricsStream({
  name: 'transactional_link_metrics',
  scope: 'Transactional messages',
  parent: transactionalMessages,
  path: (t) => `/v1/transactional/${id(t)}/metrics/links`,
  api: { kind: 'v1-links' },
  ids: (t) => ({ transactional_message_id: t['id'] }),
  keys: ['transactional_message_id', 'link_id'],
});
