import { actionId, actionIndexOfId, campaignIndexOfId } from '../data/campaigns.js';
import { listedActions, listedCampaigns } from '../data/listed.js';
import type { World } from '../data/world.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { listReply, objectReply } from './envelope.js';
import { idParam, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/** Fixed by the API: campaign actions come 10 per page and take no `limit` (§5.1, §7.3). */
export const ACTIONS_PAGE_SIZE = 10;

/**
 * A listed campaign, or 404; also 404 for the one deleted since the list was read
 * (data/deleted.ts) and for one deleted between syncs (data/deletions.ts).
 */
function campaignIndex(world: World, params: Record<string, string>): number {
  const id = idParam(params, 'campaign_id');
  const k = campaignIndexOfId(id, world.campaigns.count);
  if (k < 0 || world.deleted.isDeleted('campaign', k) || world.deletions.has('campaign', id)) throw notFound('campaign');
  return k;
}

export function campaignRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/campaigns',
      // One call, no paging parameters.
      handle: ({ world, now }) =>
        listReply(
          'campaigns',
          listedCampaigns(world).map((k) => world.campaigns.record(k, now)),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:campaign_id',
      handle: ({ world, now, params }) => objectReply('campaign', world.campaigns.record(campaignIndex(world, params), now)),
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:campaign_id/actions',
      handle: ({ world, now, params, query }) => {
        const shape = world.campaigns.shape(campaignIndex(world, params));
        const listed = listedActions(world, shape);
        const start = startParam(query);
        const offset = start === undefined ? 0 : parseOffsetToken(start);
        const end = Math.min(listed.length, offset + ACTIONS_PAGE_SIZE);
        const actions = listed.slice(offset, end).map((j) => world.actions.record(shape, j, now));
        return listReply('actions', actions, end < listed.length ? offsetToken(end) : '');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:campaign_id/actions/:action_id',
      handle: ({ world, now, params }) => {
        const shape = world.campaigns.shape(campaignIndex(world, params));
        const j = actionIndexOfId(shape, idParam(params, 'action_id'));
        if (j < 0 || world.deletions.has('campaign_action', actionId(shape.id, j))) throw notFound('action');
        return objectReply('action', world.actions.record(shape, j, now));
      },
    },
  ];
}
