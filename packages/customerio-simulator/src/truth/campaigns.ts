import type { ActionRecord } from '../data/actions.js';
import { campaignIndexOfId, type CampaignRecord } from '../data/campaigns.js';
import { listedActions, listedCampaigns } from '../data/listed.js';
import type { TruthContext } from './context.js';

/** Campaigns and their actions (§5.1). */
export function campaignTruth({ world, now: clock }: TruthContext) {
  return {
    /** GET /v1/campaigns items. */
    campaigns(): CampaignRecord[] {
      const now = clock();
      return listedCampaigns(world).map((k) => world.campaigns.record(k, now));
    },

    /** GET /v1/campaigns/{id}'s campaign; undefined for an unknown or deleted one. */
    campaign(id: number): CampaignRecord | undefined {
      const k = campaignIndexOfId(id, world.campaigns.count);
      return k < 0 || world.deletions.has('campaign', id) ? undefined : world.campaigns.record(k, clock());
    },

    /** Every action of a campaign, in page order. */
    campaignActions(campaignId: number): ActionRecord[] {
      const k = campaignIndexOfId(campaignId, world.campaigns.count);
      if (k < 0) throw new RangeError(`no campaign with id ${campaignId}`);
      if (world.deleted.isDeleted('campaign', k) || world.deletions.has('campaign', campaignId)) return [];
      const shape = world.campaigns.shape(k);
      const now = clock();
      return listedActions(world, shape).map((j) => world.actions.record(shape, j, now));
    },
  };
}

export type CampaignTruth = ReturnType<typeof campaignTruth>;
