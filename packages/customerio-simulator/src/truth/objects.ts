import type { ObjectRecord, ObjectTypeRecord } from '../data/objects.js';
import { ObjectsTruth } from '../truth-objects.js';
import { RelationshipsTruth } from '../truth-relationships.js';
import type { TruthContext } from './context.js';

/** Custom objects and their relationships with people (§5.10). */
export function objectTruth({ world, now: clock }: TruthContext) {
  const objectChanges = new ObjectsTruth(world, clock);
  return {
    /** Objects as changed between syncs (Simulator.changeObjects): current objects per type, which changed, which went, the log. */
    objectChanges,

    /** Person–object relationships (§5.7, §5.10), generated and as changed between syncs: both sides' lists, which objects' relationships changed, their activities. */
    relationships: new RelationshipsTruth(world, clock),

    /** GET /v1/object_types items. */
    objectTypes(): ObjectTypeRecord[] {
      return Array.from({ length: world.objects.typeCount }, (_, t) => world.objects.type(t));
    },

    /** Every object of a type once (search can repeat some), as hydrated by GET /v1/objects/{type}/{id}/attributes. */
    objects(typeId: string): ObjectRecord[] {
      const t = world.objects.typeIndexOfId(typeId);
      if (t < 0) throw new RangeError(`no object type with id ${typeId}`);
      return [...objectChanges.current(typeId).values()];
    },
  };
}

export type ObjectTruth = ReturnType<typeof objectTruth>;
