import type { ServedCustomer } from '../data/people.js';
import type { TruthContext } from './context.js';

/** People (§5.7): by index, so 200,000 of them cost nothing until read. */
export function peopleTruth({ world, now: clock }: TruthContext) {
  return {
    /** How many people the workspace has. */
    peopleCount(): number {
      return world.people.count;
    },

    /** Every person's `cio_id` (a generator: 200,000 at large scale). */
    *peopleCioIds(): Generator<string> {
      for (let p = 0; p < world.people.count; p++) yield world.people.cioId(p);
    },

    /** The POST /v1/customers/attributes item as served (bare or wrapped), or undefined. */
    customer(cioId: string): ServedCustomer | undefined {
      const p = world.people.indexOfCioId(cioId);
      return p < 0 ? undefined : world.people.servedCustomer(p, clock());
    },
  };
}

export type PeopleTruth = ReturnType<typeof peopleTruth>;
