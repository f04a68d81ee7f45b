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
        listReply('messages', Array.from({ length: world.transactional.count }, (_, k) => world.transactional.record(k, now))),
    },
    {
      method: 'GET',
      pattern: '/v1/transactional/:transactional_id',
      handle: ({ world, now, params }) => {
        const k = world.transactional.indexOfId(idParam(params, 'transactional_id'));
        if (k < 0) throw notFound('transactional message');
        return objectReply('message', world.transactional.record(k, now));
      },
    },
  ];
}
