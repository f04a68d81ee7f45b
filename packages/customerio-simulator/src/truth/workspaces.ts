import { wholeFeed } from '../data/activity-feed.js';
import { listedActions, listedCampaigns, listedNewsletters, listedSegments } from '../data/listed.js';
import type { WorkspaceRecord } from '../data/workspaces.js';
import type { TruthContext } from './context.js';

export interface WorkspaceCounts {
  campaigns: number;
  /** Campaign actions served (the deleted campaign's are not). */
  actions: number;
  newsletters: number;
  segments: number;
  people: number;
  /** Messages created up to now (all time). */
  messages: number;
  /** Activities served by the feed now (retention window plus future-dated head). */
  activities: number;
}

/** The workspace (§5.10) and the sizes of its collections. */
export function workspaceTruth({ world, now: clock }: TruthContext) {
  return {
    /** The workspace clock, unix seconds. */
    now(): number {
      return clock();
    },

    /** GET /v1/workspaces items. */
    workspaces(): WorkspaceRecord[] {
      return [world.workspace()];
    },

    /** The sizes of every collection now. */
    counts(): WorkspaceCounts {
      const now = clock();
      const feed = world.activities;
      const { lo, hi } = feed.visibleRange(now);
      let future = 0;
      for (let i = 0; i < feed.futureCount; i++) if (feed.futureVisible(i, now)) future++;
      const campaigns = listedCampaigns(world);
      let actions = 0;
      for (const k of campaigns) {
        if (!world.deleted.isDeleted('campaign', k)) actions += listedActions(world, world.campaigns.shape(k)).length;
      }
      return {
        campaigns: campaigns.length,
        actions,
        newsletters: listedNewsletters(world).length,
        segments: listedSegments(world).length,
        people: world.people.liveCount(),
        messages: world.messages.timeline.lastAtOrBefore(now) + 1,
        // Changes between syncs add activities and hide those of people deleted since.
        activities:
          world.people.changes.batches === 0 && world.objects.changes.batches === 0 ? future + Math.max(0, hi - lo + 1) : wholeFeed(world, now).length,
      };
    },
  };
}

export type WorkspaceTruth = ReturnType<typeof workspaceTruth>;
