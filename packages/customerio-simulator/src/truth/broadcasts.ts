import type { BroadcastActionRecord, BroadcastRecord, BroadcastTriggerRecord } from '../data/broadcasts.js';
import { listedBroadcastActions, listedBroadcasts } from '../data/listed.js';
import type { World } from '../data/world.js';
import type { TruthContext } from './context.js';

/** API-triggered broadcasts, their actions and triggers (§5.5). */
export function broadcastTruth({ world, now: clock }: TruthContext) {
  return {
    /** GET /v1/broadcasts items. */
    broadcasts(): BroadcastRecord[] {
      const now = clock();
      return listedBroadcasts(world).map((k) => world.broadcasts.record(k, now));
    },

    /**
     * Every action of a broadcast in order, across both pages where the list is split (`[]`
     * where the API answers `actions: null`).
     */
    broadcastActions(broadcastId: number): BroadcastActionRecord[] {
      const k = broadcastIndex(world, broadcastId);
      if (broadcastGone(world, k, broadcastId)) return [];
      const now = clock();
      return listedBroadcastActions(world, k).map((j) => world.broadcasts.actionRecord(k, j, now));
    },

    /** A broadcast's triggers (`[]` where the API answers null). */
    broadcastTriggers(broadcastId: number): BroadcastTriggerRecord[] {
      const k = broadcastIndex(world, broadcastId);
      if (broadcastGone(world, k, broadcastId)) return [];
      const now = clock();
      return Array.from({ length: world.broadcasts.triggerCount(k) }, (_, t) => world.broadcasts.trigger(k, t, now));
    },
  };
}

export type BroadcastTruth = ReturnType<typeof broadcastTruth>;

/** Mid-sync (data/deleted.ts) or between syncs (data/deletions.ts): nothing under it is served. */
function broadcastGone(world: World, k: number, id: number): boolean {
  return world.deleted.isDeleted('broadcast', k) || world.deletions.has('broadcast', id);
}

function broadcastIndex(world: World, id: number): number {
  const k = world.broadcasts.indexOfId(id);
  if (k < 0) throw new RangeError(`no broadcast with id ${id}`);
  return k;
}
