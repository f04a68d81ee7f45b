import { actionIndexOfId, campaignIndexOfId } from '../data/campaigns.js';
import type { World } from '../data/world.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { listReply, objectReply } from './envelope.js';
import { idParam, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/** Fixed by the API: campaign actions come 10 per page and take no `limit` (§5.1, §7.3). */
export const ACTIONS_PAGE_SIZE = 10;

/** A listed campaign, or 404; also 404 for the one deleted since the list was read (data/deleted.ts). */
function campaignIndex(world: World, params: Record<string, string>): number {
  const k = campaignIndexOfId(idParam(params, 'campaign_id'), world.campaigns.count);
  if (k < 0 || world.deleted.isDeleted('campaign', k)) throw notFound('campaign');
  return k;
}

export function campaignRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/campaigns',
      // One call, no paging parameters.
      handle: ({ world, now }) =>
        listReply('campaigns', Array.from({ length: world.campaigns.count }, (_, k) => world.campaigns.record(k, now))),
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
        const start = startParam(query);
        const offset = start === undefined ? 0 : parseOffsetToken(start);
        const end = Math.min(shape.actionCount, offset + ACTIONS_PAGE_SIZE);
        const actions = [];
        for (let j = offset; j < end; j++) actions.push(world.actions.record(shape, j, now));
        return listReply('actions', actions, end < shape.actionCount ? offsetToken(end) : '');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:campaign_id/actions/:action_id',
      handle: ({ world, now, params }) => {
        const shape = world.campaigns.shape(campaignIndex(world, params));
        const j = actionIndexOfId(shape, idParam(params, 'action_id'));
        if (j < 0) throw notFound('action');
        return objectReply('action', world.actions.record(shape, j, now));
      },
    },
  ];
}
