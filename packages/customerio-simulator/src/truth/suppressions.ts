import type { SuppressionRecord, SuppressionType } from '../data/suppressions.js';
import type { TruthContext } from './context.js';

/** ESP suppression lists (§5.10). */
export function suppressionTruth({ world }: TruthContext) {
  return {
    /** A whole suppression list, newest first (`[]` for the empty one). */
    suppressions(type: SuppressionType): SuppressionRecord[] {
      const s = world.suppressions;
      return Array.from({ length: s.size(type) }, (_, j) => s.record(type, j));
    },
  };
}

export type SuppressionTruth = ReturnType<typeof suppressionTruth>;
