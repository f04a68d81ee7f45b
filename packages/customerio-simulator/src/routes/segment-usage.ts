import { segmentUsage } from '../data/segment-usage.js';
import { objectReply } from './envelope.js';
import type { Route } from './router.js';
import { segmentIndex } from './segments.js';

/** Which campaigns and newsletters use a segment (§5.6). */
export function segmentUsageRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/segments/:segment_id/used_by',
      handle: ({ world, now, params }) => objectReply('used_by', segmentUsage(world, world.segments.idOf(segmentIndex(world, params)), now)),
    },
  ];
}
