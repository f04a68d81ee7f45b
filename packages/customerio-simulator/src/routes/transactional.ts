import { listedTransactional } from '../data/listed.js';
import { listReply, objectReply } from './envelope.js';
import { idParam, notFound } from './params.js';
import type { Route } from './router.js';

/** Transactional message templates (§5.8). The list key is `messages`, not `transactional`. */
export function transactionalRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/transactional',
      handle: ({ world, now }) =>
        listReply(
          'messages',
          listedTransactional(world).map((k) => world.transactional.record(k, now)),
        ),
    },
    {
      method: 'GET',
      pattern: '/v1/transactional/:transactional_id',
      handle: ({ world, now, params }) => {
        const id = idParam(params, 'transactional_id');
        const k = world.transactional.indexOfId(id);
        if (k < 0 || world.deletions.has('transactional_message', id)) throw notFound('transactional message');
        return objectReply('message', world.transactional.record(k, now));
      },
    },
  ];
}
