import type { ActivityRecord } from '../data/activities.js';
import { ACTIVITY_SCAN_BUDGET, activityFilter, FeedWalk } from '../data/activity-feed.js';
import { listReply } from './envelope.js';
import { limitParam, startParam } from './params.js';
import type { Route } from './router.js';

export const ACTIVITIES_LIMIT = { default: 10, max: 100 };

/**
 * GET /v1/activities: newest first, no time filters, only the retained days (30 guaranteed plus
 * a short tail, data/activities.ts retentionCutoff), future-dated activities (bad device clocks)
 * at the head, and the activities of people changed between syncs merged in (§5.3, §7.6;
 * data/activity-feed.ts). `type`, `name`, `deleted` and `customer_id` + `id_type` filter it; a
 * filtered request scans at most ACTIVITY_SCAN_BUDGET activities, so it can answer a short or
 * empty page that carries `next`.
 */
export function activityRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/activities',
      handle: ({ world, now, query }) => {
        const limit = limitParam(query, ACTIVITIES_LIMIT);
        const start = startParam(query);
        const walk = new FeedWalk(world, now, activityFilter(world, query), start);
        const records: ActivityRecord[] = [];
        let scanned = 0;
        while (records.length < limit && scanned < ACTIVITY_SCAN_BUDGET) {
          const record = walk.next();
          if (record === undefined) break;
          scanned++;
          if (record !== null) records.push(record);
        }
        const stopped = records.length === limit || scanned >= ACTIVITY_SCAN_BUDGET;
        return listReply('activities', records, stopped && walk.hasMore() ? walk.token() : '');
      },
    },
  ];
}
