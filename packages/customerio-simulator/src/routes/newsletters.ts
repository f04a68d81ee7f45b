import { listedNewsletters } from '../data/listed.js';
import { ApiError } from '../reply.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { listReply, objectReply } from './envelope.js';
import { newsletterIndex } from './newsletter-contents.js';
import { limitParam, startParam } from './params.js';
import type { Route } from './router.js';

/**
 * The spec declares no default and no maximum for newsletter `limit` (UNCONFIRMED live). The
 * simulator defaults to a small page (10) so a client that forgets `limit` still has to paginate,
 * and clamps anything above 1000.
 */
export const NEWSLETTER_LIMIT = { default: 10, max: 1000 };

export function newsletterRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/newsletters',
      handle: ({ world, now, query }) => {
        const limit = limitParam(query, NEWSLETTER_LIMIT);
        const sort = query.get('sort') ?? 'asc';
        if (sort !== 'asc' && sort !== 'desc') throw new ApiError(400, 'The request was malformed: sort must be asc or desc');
        const start = startParam(query);
        const offset = start === undefined ? 0 : parseOffsetToken(start);
        const listed = listedNewsletters(world);
        const total = listed.length;
        const end = Math.min(total, offset + limit);
        const records = [];
        // Chronological: ids and creation times both grow with the index.
        for (let i = offset; i < end; i++) records.push(world.newsletters.record(listed[sort === 'asc' ? i : total - 1 - i] ?? 0, now));
        return listReply('newsletters', records, end < total ? offsetToken(end) : '');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/newsletters/:newsletter_id',
      handle: ({ world, now, params }) => objectReply('newsletter', world.newsletters.record(newsletterIndex(world, params), now)),
    },
  ];
}
