import { BROADCAST_FIRST_PAGE, broadcastActionId, broadcastId } from '../data/broadcasts.js';
import { listedBroadcastActions, listedBroadcasts } from '../data/listed.js';
import type { World } from '../data/world.js';
import { offsetToken, parseOffsetToken } from '../tokens.js';
import { listReply, objectReply } from './envelope.js';
import { idParam, notFound, startParam } from './params.js';
import type { Route } from './router.js';

/**
 * A listed broadcast, or 404; also 404 for the one deleted since the list was read
 * (data/deleted.ts) and for one deleted between syncs (data/deletions.ts).
 */
function broadcastIndex(world: World, params: Record<string, string>): number {
  const id = idParam(params, 'broadcast_id');
  const k = world.broadcasts.indexOfId(id);
  if (k < 0 || world.deleted.isDeleted('broadcast', k) || world.deletions.has('broadcast', id)) throw notFound('broadcast');
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
        listReply(
          'broadcasts',
          listedBroadcasts(world).map((k) => world.broadcasts.record(k, now)),
        ),
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
        const listed = listedBroadcastActions(world, k);
        const start = startParam(query);
        const offset = start === undefined ? 0 : parseOffsetToken(start);
        // The spec declares no paging here: no `start`, no `limit`, no `next` (S11
        // broadcastActions), and most broadcasts answer everything at once without a `next`. But
        // S3 forwards a `next` when one comes back, so about one broadcast in four with many
        // actions splits them over two pages (a `next`, then `start` → the rest, `next: ""`), and
        // a client that ignores `next` loses actions.
        // Pages are cut from the actions still listed (data/listed.ts): a split broadcast left with
        // too few for two pages answers in one call.
        const record = (j: number) => world.broadcasts.actionRecord(k, j, now);
        if (start === undefined && world.broadcasts.twoPages(k) && listed.length > BROADCAST_FIRST_PAGE) {
          return listReply('actions', listed.slice(0, BROADCAST_FIRST_PAGE).map(record), offsetToken(BROADCAST_FIRST_PAGE));
        }
        return listReply('actions', listed.slice(offset).map(record), start === undefined ? undefined : '');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/broadcasts/:broadcast_id/actions/:action_id',
      handle: ({ world, now, params }) => {
        const k = broadcastIndex(world, params);
        const j = world.broadcasts.actionIndexOfId(k, params['action_id'] ?? '');
        if (j < 0 || world.deletions.has('broadcast_action', broadcastActionId(broadcastId(k), j))) throw notFound('action');
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
