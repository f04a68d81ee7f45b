import type { ActivityRecord } from '../data/activities.js';
import { wholeFeed } from '../data/activity-feed.js';
import type { TruthContext } from './context.js';

/** The activity feed (§5.3). */
export function activityTruth({ world, now: clock }: TruthContext) {
  return {
    /** The whole feed in served order: the future-dated head first, then newest first. */
    activities(): ActivityRecord[] {
      return wholeFeed(world, clock());
    },

    /** The oldest `timestamp` the feed serves now. */
    activityCutoff(): number {
      return world.activities.cutoff(clock());
    },
  };
}

export type ActivityTruth = ReturnType<typeof activityTruth>;
