import { listedCollections, listedSnippets } from '../data/listed.js';
import type { World } from '../data/world.js';
import { ApiError } from '../reply.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { listReply } from './envelope.js';
import { limitParam, startParam } from './params.js';
import type { Route } from './router.js';

/**
 * The spec declares no default and no maximum for sender identity `limit` (S11 listSenders;
 * UNCONFIRMED live). As for newsletters: a small default page (10) so a client that forgets
 * `limit` must paginate, and anything above 1000 clamped.
 */
export const SENDER_LIMIT = { default: 10, max: 1000 };

function all<T>(count: number, make: (k: number) => T): T[] {
  return Array.from({ length: count }, (_, k) => make(k));
}

/** Workspace configuration lists (§5.10); all unpaged except sender identities. */
export function workspaceConfigRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/sender_identities',
      handle: ({ world, query }) => senderPage(world, query),
    },
    {
      method: 'GET',
      pattern: '/v1/snippets',
      handle: ({ world, now }) =>
        listReply(
          'snippets',
          listedSnippets(world).map((k) => world.snippets.record(k, now)),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/collections',
      handle: ({ world, now }) =>
        listReply(
          'collections',
          listedCollections(world).map((k) => world.collections.record(k, now)),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/reporting_webhooks',
      handle: ({ world }) =>
        listReply(
          'reporting_webhooks',
          all(world.reportingWebhooks.count, (k) => world.reportingWebhooks.record(k)),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/subscription_topics',
      handle: ({ world }) =>
        listReply(
          'topics',
          all(world.topics.count, (k) => world.topics.record(k)),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/subscription_channels',
      handle: ({ world }) =>
        listReply(
          'channels',
          all(world.channels.count, (k) => world.channels.record(k)),
        ),
    },
  ];
}

/**
 * `hidden=true` answers hidden senders ONLY and anything else visible ones only: the behaviour
 * S3 reports live (the spec says true *adds* hidden senders; §7.13). Pages are offsets into that
 * filtered list, ordered by id (`sort=desc` reverses it).
 */
function senderPage(world: World, query: URLSearchParams): ReturnType<typeof listReply> {
  const limit = limitParam(query, SENDER_LIMIT);
  const sort = query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') throw new ApiError(400, 'The request was malformed: sort must be asc or desc');
  const hiddenRaw = query.get('hidden') ?? 'false';
  if (hiddenRaw !== 'true' && hiddenRaw !== 'false') throw new ApiError(400, 'The request was malformed: hidden must be true or false');
  const hidden = hiddenRaw === 'true';
  const senders = world.senderIdentities;
  const matching: number[] = [];
  for (let k = 0; k < senders.count; k++) if (senders.hidden(k) === hidden) matching.push(k);
  if (sort === 'desc') matching.reverse();
  const start = startParam(query);
  const offset = start === undefined ? 0 : parseOffsetToken(start);
  const end = Math.min(matching.length, offset + limit);
  const records = matching.slice(offset, end).map((k) => senders.record(k));
  return listReply('sender_identities', records, end < matching.length ? offsetToken(end) : '');
}
