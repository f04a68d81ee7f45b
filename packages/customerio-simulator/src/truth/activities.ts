import type { ActivityRecord } from '../data/activities.js';
import type { TruthContext } from './context.js';

/** The activity feed (§5.3). */
export function activityTruth({ world, now: clock }: TruthContext) {
  return {
    /** The whole feed in served order: the future-dated head first, then newest first. */
    activities(): ActivityRecord[] {
      const now = clock();
      const feed = world.activities;
      const out: ActivityRecord[] = [];
      for (let i = 0; i < feed.futureCount; i++) if (feed.futureVisible(i, now)) out.push(feed.future(i));
      const { lo, hi } = feed.visibleRange(now);
      for (let k = hi; k >= lo; k--) out.push(feed.record(k));
      return out;
    },

    /** The oldest `timestamp` the feed serves now. */
    activityCutoff(): number {
      return world.activities.cutoff(clock());
    },
  };
}

export type ActivityTruth = ReturnType<typeof activityTruth>;
