import { SUPPRESSION_CATEGORY, SUPPRESSION_TYPES, type SuppressionType } from '../data/suppressions.js';
import { ApiError } from '../reply.js';
import { integerParam, limitParam, malformed } from './params.js';
import type { Route } from './router.js';

/** `limit` default 100, max 1000; `offset` default 0 (S11 getSuppressionByType). */
export const SUPPRESSION_LIMIT = { default: 100, max: 1000 };

function isSuppressionType(value: string): value is SuppressionType {
  return (SUPPRESSION_TYPES as readonly string[]).includes(value);
}

/**
 * ESP suppression lists: offset paging, newest first. Past the end live answers
 * `{"suppressions": null}` with no `category` (§4, S3), which is also the first answer for an
 * empty list. `domain` is accepted and ignored.
 */
export function suppressionRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/esp/suppression/:suppression_type',
      handle: ({ world, params, query }) => {
        const type = params['suppression_type'] ?? '';
        if (!isSuppressionType(type)) {
          throw new ApiError(400, `The request was malformed: type must be one of ${SUPPRESSION_TYPES.join(', ')}`);
        }
        const limit = limitParam(query, SUPPRESSION_LIMIT);
        const offset = integerParam(query, 'offset') ?? 0;
        if (offset < 0) throw malformed('offset');
        const size = world.suppressions.size(type);
        if (offset >= size) return { status: 200, headers: {}, body: '{"suppressions":null}' };
        const end = Math.min(size, offset + limit);
        const suppressions = [];
        for (let j = offset; j < end; j++) suppressions.push(world.suppressions.record(type, j));
        return { status: 200, headers: {}, body: JSON.stringify({ category: SUPPRESSION_CATEGORY[type], suppressions }) };
      },
    },
  ];
}
