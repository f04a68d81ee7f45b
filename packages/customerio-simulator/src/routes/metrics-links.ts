import type { World } from '../data/world.js';
import type { EntityIds, EntityKind } from '../metrics/leaves.js';
import { linkTable } from '../metrics/tally.js';
import type { Reply } from '../reply.js';
import { listReply } from './envelope.js';
import { METRIC_TYPES, NEWSLETTER_TYPES, ofType, typeParam, uniqueParam, v1Window } from './metrics-params.js';
import { entityLeaves, withWorkspaceDate } from './metrics-shared.js';
import { idParam } from './params.js';
import type { Route, RouteContext } from './router.js';

/** Which optional parameters each link endpoint declares (§6): `unique`, `type`, or both. */
interface LinkParams {
  unique: boolean;
  types?: readonly string[];
}

/**
 * `{"links": [{link: {id, href}, metric: {series: {clicked, human_clicked, machine_clicked}}}]}`,
 * v1 buckets only. An entity without tracked links answers `{"links": null}` (the empty-list
 * quirk, §4). Undeclared parameters are ignored like any unknown query parameter.
 */
function linksReply(world: World, kind: EntityKind, ids: EntityIds, ctx: RouteContext, declared: LinkParams): Reply {
  const { query, now } = ctx;
  let leaves = entityLeaves(world, kind, ids);
  if (declared.types !== undefined) leaves = ofType(leaves, typeParam(query, declared.types));
  const unique = declared.unique ? uniqueParam(query) : false;
  return withWorkspaceDate(listReply('links', linkTable(world.seed, leaves, v1Window(query, now), now, unique)), now);
}

export function linkMetricsRoutes(): Route[] {
  const route = (pattern: string, kind: EntityKind, ids: (p: Record<string, string>) => EntityIds, declared: LinkParams): Route => ({
    method: 'GET',
    pattern,
    handle: (ctx) => linksReply(ctx.world, kind, ids(ctx.params), ctx, declared),
  });
  return [
    route('/v1/campaigns/:campaign_id/metrics/links', 'campaign', (p) => [idParam(p, 'campaign_id')], { unique: true }),
    route('/v1/campaigns/:campaign_id/actions/:action_id/metrics/links', 'campaign_action', (p) => [idParam(p, 'campaign_id'), idParam(p, 'action_id')], {
      unique: true,
      types: METRIC_TYPES,
    }),
    route('/v1/newsletters/:newsletter_id/metrics/links', 'newsletter', (p) => [idParam(p, 'newsletter_id')], { unique: true }),
    route(
      '/v1/newsletters/:newsletter_id/contents/:content_id/metrics/links',
      'newsletter_variant',
      (p) => [idParam(p, 'newsletter_id'), idParam(p, 'content_id')],
      { unique: false, types: NEWSLETTER_TYPES },
    ),
    route('/v1/broadcasts/:broadcast_id/metrics/links', 'broadcast', (p) => [idParam(p, 'broadcast_id')], { unique: true }),
    route('/v1/broadcasts/:broadcast_id/actions/:action_id/metrics/links', 'broadcast_action', (p) => [idParam(p, 'broadcast_id'), p.action_id ?? ''], {
      unique: false,
      types: METRIC_TYPES,
    }),
    // Transactional links: `period, steps, unique` per the S1 Config reading (§5.8).
    route('/v1/transactional/:transactional_id/metrics/links', 'transactional', (p) => [idParam(p, 'transactional_id')], { unique: true }),
  ];
}
