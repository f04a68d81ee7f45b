import type { Leaf } from '../metrics/hourly.js';
import { seriesTable } from '../metrics/tally.js';
import { METRIC_TYPES, NEWSLETTER_TYPES, ofType, typeParam, v1Window } from './metrics-params.js';
import { entityLeaves, languageVariants, metricsReply } from './metrics-shared.js';
import { idParam } from './params.js';
import type { Route } from './router.js';

/**
 * Metrics of one-off and API sends: newsletters and their variants, broadcasts and their actions,
 * transactional messages. All are v1 only (`period`, `steps`, and `type` except on transactional;
 * §9.3); `version`, `res`, `start`, `end` are not parameters here and are ignored like any other
 * unknown query parameter.
 */
export function sendMetricsRoutes(): Route[] {
  /** Newsletter metrics add `metric.type`: the newsletter's channel, whatever `type` filtered. */
  const newsletterReply = (seed: number, leaves: Leaf[], query: URLSearchParams, now: number) => {
    const channel = leaves[0]?.channel ?? 'email';
    const typed = ofType(leaves, typeParam(query, NEWSLETTER_TYPES));
    return metricsReply({ metric: { series: seriesTable(seed, typed, v1Window(query, now), now), type: channel } }, now);
  };
  return [
    {
      method: 'GET',
      pattern: '/v1/newsletters/:newsletter_id/metrics',
      handle: ({ world, now, params, query }) => newsletterReply(world.seed, entityLeaves(world, 'newsletter', [idParam(params, 'newsletter_id')]), query, now),
    },
    {
      method: 'GET',
      pattern: '/v1/newsletters/:newsletter_id/contents/:content_id/metrics',
      handle: ({ world, now, params, query }) => {
        const ids = [idParam(params, 'newsletter_id'), idParam(params, 'content_id')];
        return newsletterReply(world.seed, entityLeaves(world, 'newsletter_variant', ids), query, now);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/broadcasts/:broadcast_id/metrics',
      handle: ({ world, now, params, query }) => {
        const leaves = ofType(entityLeaves(world, 'broadcast', [idParam(params, 'broadcast_id')]), typeParam(query, METRIC_TYPES));
        return metricsReply({ metric: { series: seriesTable(world.seed, leaves, v1Window(query, now), now) } }, now);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/broadcasts/:broadcast_id/actions/:action_id/metrics',
      handle: ({ world, now, params, query }) => {
        // Broadcast action ids are served as strings or integers (§7.4): the path carries the digits.
        const ids = [idParam(params, 'broadcast_id'), params.action_id ?? ''];
        const leaves = ofType(entityLeaves(world, 'broadcast_action', ids), typeParam(query, METRIC_TYPES));
        const edges = v1Window(query, now);
        const body = {
          metric: { series: seriesTable(world.seed, leaves, edges, now) },
          language_variants: languageVariants(world.seed, leaves, edges, now),
        };
        return metricsReply(body, now);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transactional/:transactional_id/metrics',
      handle: ({ world, now, params, query }) => {
        const leaves = entityLeaves(world, 'transactional', [idParam(params, 'transactional_id')]);
        return metricsReply({ metric: { series: seriesTable(world.seed, leaves, v1Window(query, now), now) } }, now);
      },
    },
  ];
}
