import { segmentUsage } from '../data/segment-usage.js';
import { objectReply } from './envelope.js';
import { idParam, notFound } from './params.js';
import type { Route } from './router.js';

/** Which campaigns and newsletters use a segment (§5.6). */
export function segmentUsageRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/segments/:segment_id/used_by',
      handle: ({ world, now, params }) => {
        const id = idParam(params, 'segment_id');
        if (world.segments.indexOfId(id) < 0) throw notFound('segment');
        return objectReply('used_by', segmentUsage(world, id, now));
      },
    },
  ];
}
