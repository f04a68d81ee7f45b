import { broadcastId } from '../data/broadcasts.js';
import type { ParentKind } from '../data/deleted.js';
import type { DeletedEntity } from '../data/deletions.js';
import type { TruthContext } from './context.js';

/** What was deleted: parents mid-sync (data/deleted.ts), entities between syncs (data/deletions.ts). */
export function deletionTruth({ world }: TruthContext) {
  return {
    /** Every entity deleted between syncs, cascaded children included. */
    deletedEntities(): DeletedEntity[] {
      return world.deletions.entities();
    },

    /**
     * The ids of the parents deleted mid-sync, by kind (one deleted for real since is no longer
     * listed, and no longer named here).
     */
    deletedParents(): Record<`${ParentKind}s`, number[]> {
      const w = world;
      // One deleted for real since (deleteEntities) is no longer listed: no longer such a parent.
      const id = (kind: ParentKind, idOf: (k: number) => number): number[] => {
        const k = w.deleted.indexOf(kind);
        return k < 0 || w.deletions.has(kind, idOf(k)) ? [] : [idOf(k)];
      };
      return {
        campaigns: id('campaign', (k) => w.campaigns.shape(k).id),
        segments: id('segment', (k) => w.segments.idOf(k)),
        newsletters: id('newsletter', (k) => w.newsletters.idOf(k)),
        broadcasts: id('broadcast', (k) => broadcastId(k)),
      };
    },
  };
}

export type DeletionTruth = ReturnType<typeof deletionTruth>;
