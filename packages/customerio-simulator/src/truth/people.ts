import type { ServedCustomer } from '../data/people.js';
import { PeopleTruth as PeopleChanges } from '../truth-people.js';
import type { TruthContext } from './context.js';

/** People (§5.7): by index, so 200,000 of them cost nothing until read. */
export function peopleTruth({ world, now: clock }: TruthContext) {
  return {
    /** People as changed between syncs (Simulator.changePeople): current profiles, who changed, who went, the change log. */
    people: new PeopleChanges(world, clock),

    /** How many people the workspace has now (created ones counted, deleted and merged-away ones not). */
    peopleCount(): number {
      return world.people.liveCount();
    },

    /** Every live person's `cio_id` (a generator: 200,000 at large scale). */
    *peopleCioIds(): Generator<string> {
      const people = world.people;
      for (let p = 0; p < people.total; p++) if (people.exists(p)) yield people.cioId(p);
    },

    /** The POST /v1/customers/attributes item as served (bare or wrapped), or undefined. */
    customer(cioId: string): ServedCustomer | undefined {
      const p = world.people.indexOfCioId(cioId);
      return p < 0 ? undefined : world.people.servedCustomer(p, clock());
    },
  };
}

export type PeopleTruth = ReturnType<typeof peopleTruth>;
