import { listedTransactional } from '../data/listed.js';
import type { TransactionalRecord } from '../data/transactional.js';
import type { TruthContext } from './context.js';

/** Transactional messages (§5.8). */
export function transactionalTruth({ world, now: clock }: TruthContext) {
  return {
    /** GET /v1/transactional items (the `messages` list). */
    transactional(): TransactionalRecord[] {
      const now = clock();
      return listedTransactional(world).map((k) => world.transactional.record(k, now));
    },
  };
}

export type TransactionalTruth = ReturnType<typeof transactionalTruth>;
