import { BROADCAST_FIRST_PAGE } from '../data/broadcasts.js';
import type { World } from '../data/world.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { listReply, objectReply } from './envelope.js';
import { idParam, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/** A listed broadcast, or 404; also 404 for the one deleted since the list was read (data/deleted.ts). */
function broadcastIndex(world: World, params: Record<string, string>): number {
  const k = world.broadcasts.indexOfId(idParam(params, 'broadcast_id'));
  if (k < 0 || world.deleted.isDeleted('broadcast', k)) throw notFound('broadcast');
  return k;
}

/** API-triggered broadcasts (§5.5). */
export function broadcastRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/broadcasts',
      // One call, no paging parameters.
      handle: ({ world, now }) =>
        listReply('broadcasts', Array.from({ length: world.broadcasts.count }, (_, k) => world.broadcasts.record(k, now))),
    },
    {
      method: 'GET',
      pattern: '/v1/broadcasts/:broadcast_id',
      handle: ({ world, now, params }) => objectReply('broadcast', world.broadcasts.record(broadcastIndex(world, params), now)),
    },
    {
      method: 'GET',
      pattern: '/v1/broadcasts/:broadcast_id/actions',
      handle: ({ world, now, params, query }) => {
        const k = broadcastIndex(world, params);
        const count = world.broadcasts.actionCount(k);
        const start = startParam(query);
        const offset = start === undefined ? 0 : parseOffsetToken(start);
        // The spec declares no paging here: no `start`, no `limit`, no `next` (S11
        // broadcastActions), and most broadcasts answer everything at once without a `next`. But
        // S3 forwards a `next` when one comes back, so about one broadcast in four with many
        // actions splits them over two pages (a `next`, then `start` → the rest, `next: ""`), and
        // a client that ignores `next` loses actions.
        if (start === undefined && world.broadcasts.twoPages(k)) {
          const first = Array.from({ length: BROADCAST_FIRST_PAGE }, (_, j) => world.broadcasts.actionRecord(k, j, now));
          return listReply('actions', first, offsetToken(BROADCAST_FIRST_PAGE));
        }
        const actions = [];
        for (let j = offset; j < count; j++) actions.push(world.broadcasts.actionRecord(k, j, now));
        return listReply('actions', actions, start === undefined ? undefined : '');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/broadcasts/:broadcast_id/actions/:action_id',
      handle: ({ world, now, params }) => {
        const k = broadcastIndex(world, params);
        const j = world.broadcasts.actionIndexOfId(k, params['action_id'] ?? '');
        if (j < 0) throw notFound('action');
        return objectReply('action', world.broadcasts.actionRecord(k, j, now));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/broadcasts/:broadcast_id/triggers',
      handle: ({ world, now, params }) => {
        const k = broadcastIndex(world, params);
        const triggers = Array.from({ length: world.broadcasts.triggerCount(k) }, (_, t) => world.broadcasts.trigger(k, t, now));
        return listReply('triggers', triggers);
      },
    },
  ];
}
