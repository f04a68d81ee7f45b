import { hash32 } from '../random.js';
import { DeletedParentSalt, Entity } from '../tags.js';

/** Parents whose children are read through their own endpoints. */
export type ParentKind = 'campaign' | 'segment' | 'newsletter' | 'broadcast';

const KIND_SALT: Record<ParentKind, number> = DeletedParentSalt;

export interface ParentCounts {
  campaigns: number;
  newsletters: number;
  broadcasts: number;
  /** Members of segment #k; the deleted segment is one with members. */
  segmentSizes: readonly number[];
}

/**
 * One campaign, one segment, one newsletter and one broadcast that were deleted between the
 * moment a client listed them and the moment it reads their children (customerio-api.md §3
 * "404 semantics", §7.14). The lists still show them (what the client already read), while
 * every endpoint under them answers 404 with the errors envelope: the single record, the
 * children (actions, triggers, membership, customer_count, used_by, contents, test_groups) and
 * the metrics. Chosen by seed among the ordinary records, never an edge case the other tests
 * rely on (campaigns #0–#2, broadcasts #0–#2, newsletter #0, segment #1, empty segments); a
 * collection too small to have one has none.
 */
export class DeletedParents {
  private readonly index: Record<ParentKind, number>;

  constructor(seed: number, counts: ParentCounts) {
    const pick = (kind: ParentKind, eligible: number[]): number => {
      if (eligible.length === 0) return -1;
      return eligible[hash32(seed, Entity.deletedParent, 0, KIND_SALT[kind]) % eligible.length] ?? -1;
    };
    const from = (first: number, count: number): number[] => Array.from({ length: Math.max(0, count - first) }, (_, i) => first + i);
    const segments = counts.segmentSizes.flatMap((size, k) => (k !== 1 && size > 0 ? [k] : []));
    this.index = {
      campaign: pick('campaign', from(3, counts.campaigns)),
      segment: pick('segment', segments),
      newsletter: pick('newsletter', from(1, counts.newsletters)),
      broadcast: pick('broadcast', from(3, counts.broadcasts)),
    };
  }

  /** Index of the deleted parent of a kind, or −1 when there is none. */
  indexOf(kind: ParentKind): number {
    return this.index[kind];
  }

  isDeleted(kind: ParentKind, k: number): boolean {
    return k >= 0 && this.index[kind] === k;
  }
}
