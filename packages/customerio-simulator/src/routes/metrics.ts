import type { World } from '../data/world.js';
import type { Leaf } from '../metrics/hourly.js';
import { seriesTable } from '../metrics/tally.js';
import type { Reply } from '../reply.js';
import { linkMetricsRoutes } from './metrics-links.js';
import { journeyWindow, METRIC_TYPES, ofType, typeParam, v1Window, v2Window, versionParam } from './metrics-params.js';
import { sendMetricsRoutes } from './metrics-sends.js';
import { entityLeaves, languageVariants, metricsReply } from './metrics-shared.js';
import { idParam } from './params.js';
import type { Route } from './router.js';

/**
 * Campaign and campaign-action metrics in both versions. v2: top-level `start`/`end` (ISO 8601 in
 * `tz` of the first bucket's start and the last bucket's end), `res` as given, `metric.series`,
 * and on actions `language_variants`. v1: `{metric: {series}}` only (the deprecated response
 * type carries no language variants).
 */
function campaignMetricsReply(world: World, leaves: Leaf[], query: URLSearchParams, now: number, action: boolean): Reply {
  const typed = ofType(leaves, typeParam(query, METRIC_TYPES));
  if (versionParam(query) === 1) {
    return metricsReply({ metric: { series: seriesTable(world.seed, typed, v1Window(query, now), now) } }, now);
  }
  const { res, zone, edges } = v2Window(query);
  const body: Record<string, unknown> = {
    start: zone.iso(edges[0] ?? 0),
    end: zone.iso(edges[edges.length - 1] ?? 0),
    res,
    metric: { series: seriesTable(world.seed, typed, edges, now) },
  };
  if (action) body.language_variants = languageVariants(world.seed, typed, edges, now);
  return metricsReply(body, now);
}

function campaignMetricsRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/campaigns/:campaign_id/metrics',
      handle: ({ world, now, params, query }) =>
        campaignMetricsReply(world, entityLeaves(world, 'campaign', [idParam(params, 'campaign_id')]), query, now, false),
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:campaign_id/actions/:action_id/metrics',
      handle: ({ world, now, params, query }) => {
        const ids = [idParam(params, 'campaign_id'), idParam(params, 'action_id')];
        return campaignMetricsReply(world, entityLeaves(world, 'campaign_action', ids), query, now, true);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:campaign_id/journey_metrics',
      handle: ({ world, now, params, query }) => {
        const leaves = entityLeaves(world, 'journey', [idParam(params, 'campaign_id')]);
        return metricsReply({ journey_metric: seriesTable(world.seed, leaves, journeyWindow(query).edges, now) }, now);
      },
    },
  ];
}

/** Every metrics endpoint: campaigns and actions (v1 + v2), journeys, one-off sends, links. */
export function metricsRoutes(): Route[] {
  return [...campaignMetricsRoutes(), ...sendMetricsRoutes(), ...linkMetricsRoutes()];
}
