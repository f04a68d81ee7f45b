import { defineStream, type MetricsFormat, type Row, type StreamDef } from '../engine/stream.js';
import { JOURNEY_METRICS, V1_LINK_METRICS, V1_METRICS, V2_METRICS } from './metrics-formats.js';
import { broadcastActions, broadcasts } from './broadcasts.js';
import { campaigns, campaignsActions } from './campaigns.js';
import { newsletters } from './newsletters.js';
import { transactionalMessages } from './transactional.js';

/** One record per entity (and link) and time bucket; keys include the resolution so a change of it never collides. */
function metricsStream(spec: {
  name: string;
  scope: string;
  parent: StreamDef;
  path: string;
  format: MetricsFormat;
  ids: (parent: Row) => Row;
  keys: string[];
  /** The parent whose counts these add up to, and how a partition names it (see RollsUpTo). */
  rollsUpTo?: { stream: StreamDef; parentOf: (partition: Row) => Row };
}): StreamDef {
  return defineStream({
    name: spec.name,
    scope: spec.scope,
    parent: spec.parent,
    path: spec.path,
    records: 'metric',
    primaryKey: [...spec.keys, 'resolution', 'period_start'].map((key) => [key]),
    // Recent buckets keep counting: re-read that long (metrics_lookback_days replaces it, settings.ts).
    cursor: {
      mode: 'metrics',
      field: 'period_start',
      format: spec.format,
      ids: spec.ids,
      lookbackSeconds: 30 * 86_400,
      // Every entity is read again daily (metrics_full_every_hours replaces it, settings.ts).
      ...(spec.rollsUpTo ? { rollsUpTo: { ...spec.rollsUpTo, childrenEverySeconds: 86_400 } } : {}),
    },
    pagination: { kind: 'none' },
    history: spec.format.label === 'period/steps' ? PERIOD_STEPS_HISTORY : START_END_HISTORY,
  });
}

/** What each family of metrics endpoints lets a first sync reach. */
const START_END_HISTORY = 'buckets from `start_date` (one year back when unset), one request per entity';
const PERIOD_STEPS_HISTORY = "the API's `steps` maximum: the last 24 hours, 45 days, 12 weeks or 121 months (a WARN says when `start_date` asks for more)";

const campaignIds = (c: Row): Row => ({ campaign_id: c['id'] });
const actionIds = (a: Row): Row => ({ campaign_id: a['campaign_id'], action_id: a['id'] });

export const campaignMetrics = metricsStream({
  name: 'campaign_metrics',
  scope: 'Campaigns',
  parent: campaigns,
  path: '/v1/campaigns/{id}/metrics',
  format: V2_METRICS,
  ids: campaignIds,
  keys: ['campaign_id'],
});

export const campaignActionMetrics = metricsStream({
  name: 'campaign_action_metrics',
  scope: 'Campaigns',
  parent: campaignsActions,
  path: '/v1/campaigns/{campaign_id}/actions/{id}/metrics',
  format: V2_METRICS,
  ids: actionIds,
  keys: ['campaign_id', 'action_id'],
  rollsUpTo: { stream: campaignMetrics, parentOf: (a) => ({ id: a['campaign_id'] }) },
});

export const campaignJourneyMetrics = metricsStream({
  name: 'campaign_journey_metrics',
  scope: 'Campaigns',
  parent: campaigns,
  path: '/v1/campaigns/{id}/journey_metrics',
  format: JOURNEY_METRICS,
  ids: campaignIds,
  keys: ['campaign_id'],
});

export const newsletterMetrics = metricsStream({
  name: 'newsletter_metrics',
  scope: 'Newsletters',
  parent: newsletters,
  path: '/v1/newsletters/{id}/metrics',
  format: V1_METRICS,
  ids: (n) => ({ newsletter_id: n['id'] }),
  keys: ['newsletter_id'],
});

export const broadcastMetrics = metricsStream({
  name: 'broadcast_metrics',
  scope: 'Broadcasts',
  parent: broadcasts,
  path: '/v1/broadcasts/{id}/metrics',
  format: V1_METRICS,
  ids: (b) => ({ broadcast_id: b['id'] }),
  keys: ['broadcast_id'],
});

export const broadcastActionMetrics = metricsStream({
  name: 'broadcast_action_metrics',
  scope: 'Broadcasts',
  parent: broadcastActions,
  path: '/v1/broadcasts/{broadcast_id}/actions/{id}/metrics',
  format: V1_METRICS,
  ids: (a) => ({ broadcast_id: a['broadcast_id'], action_id: a['id'] }),
  keys: ['broadcast_id', 'action_id'],
  rollsUpTo: { stream: broadcastMetrics, parentOf: (a) => ({ id: a['broadcast_id'] }) },
});

export const transactionalMetrics = metricsStream({
  name: 'transactional_metrics',
  scope: 'Transactional messages',
  parent: transactionalMessages,
  path: '/v1/transactional/{id}/metrics',
  format: V1_METRICS,
  ids: (t) => ({ transactional_message_id: t['id'] }),
  keys: ['transactional_message_id'],
});

export const campaignLinkMetrics = metricsStream({
  name: 'campaign_link_metrics',
  scope: 'Campaigns',
  parent: campaigns,
  path: '/v1/campaigns/{id}/metrics/links',
  format: V1_LINK_METRICS,
  ids: campaignIds,
  keys: ['campaign_id', 'link_id'],
  // Link clicks count in the campaign's `clicked`.
  rollsUpTo: { stream: campaignMetrics, parentOf: (c) => c },
});

export const newsletterLinkMetrics = metricsStream({
  name: 'newsletter_link_metrics',
  scope: 'Newsletters',
  parent: newsletters,
  path: '/v1/newsletters/{id}/metrics/links',
  format: V1_LINK_METRICS,
  ids: (n) => ({ newsletter_id: n['id'] }),
  keys: ['newsletter_id', 'link_id'],
  rollsUpTo: { stream: newsletterMetrics, parentOf: (n) => n },
});

export const transactionalLinkMetrics = metricsStream({
  name: 'transactional_link_metrics',
  scope: 'Transactional messages',
  parent: transactionalMessages,
  path: '/v1/transactional/{id}/metrics/links',
  format: V1_LINK_METRICS,
  ids: (t) => ({ transactional_message_id: t['id'] }),
  keys: ['transactional_message_id', 'link_id'],
  rollsUpTo: { stream: transactionalMetrics, parentOf: (t) => t },
});
