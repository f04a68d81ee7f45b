import type { ActivityRecord } from '../data/activities.js';
import { feedToken, parseFeedToken } from '../tokens.js';
import { listReply } from './envelope.js';
import { limitParam, startParam } from './params.js';
import type { Route } from './router.js';

export const ACTIVITIES_LIMIT = { default: 10, max: 100 };

/**
 * GET /v1/activities: newest first, no time filters, only the retained days (30 guaranteed plus
 * a short tail, data/activities.ts retentionCutoff), and future-dated activities (bad device
 * clocks) at the head of the feed (§5.3, §7.6). Filters (`type`, `name`, `customer_id`,
 * `deleted`) are accepted and ignored by the simulator.
 */
export function activityRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/activities',
      handle: ({ world, now, query }) => {
        const limit = limitParam(query, ACTIVITIES_LIMIT);
        const start = startParam(query);
        const feed = world.activities;
        const { lo, hi } = feed.visibleRange(now);
        let cursor = start === undefined ? { section: 8 as const, position: 0 } : parseFeedToken(start);
        const records: ActivityRecord[] = [];
        let next = '';
        while (records.length < limit) {
          if (cursor.section === 8) {
            const i = cursor.position;
            if (i >= feed.futureCount) {
              cursor = { section: 9, position: hi };
              continue;
            }
            if (feed.futureVisible(i, now)) records.push(feed.future(i));
            cursor = { section: 8, position: i + 1 };
          } else {
            // The position is an absolute index, so activities arriving mid-walk do not shift it.
            const k = Math.min(cursor.position, hi);
            if (k < lo) break;
            records.push(feed.record(k));
            cursor = { section: 9, position: k - 1 };
          }
        }
        if (records.length === limit && hasMore(cursor, feed.futureCount, lo, hi)) {
          next = feedToken(cursor.section, cursor.position);
        }
        return listReply('activities', records, next);
      },
    },
  ];
}

function hasMore(cursor: { section: 8 | 9; position: number }, futureCount: number, lo: number, hi: number): boolean {
  if (cursor.section === 8) return cursor.position < futureCount || hi >= lo;
  return Math.min(cursor.position, hi) >= lo;
}
