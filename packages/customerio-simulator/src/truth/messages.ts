import type { MessageRecord } from '../data/messages.js';
import type { World } from '../data/world.js';
import type { TruthContext } from './context.js';

/**
 * Deliveries (§5.2). Windows are `created` in [a, b], both inclusive, of the messages that exist
 * now, newest first.
 */
export function messageTruth({ world, now: clock }: TruthContext) {
  const indexRange = (a: number, b: number): { lo: number; hi: number } => messageIndexRange(world, a, b, clock());

  return {
    /** How many messages a window holds. */
    messageCount(a: number, b: number): number {
      const { lo, hi } = indexRange(a, b);
      return Math.max(0, hi - lo + 1);
    },

    /** The ids of a window's messages, newest first. */
    messageIds(a: number, b: number): string[] {
      const { lo, hi } = indexRange(a, b);
      const ids: string[] = [];
      for (let k = hi; k >= lo; k--) ids.push(world.messages.id(k));
      return ids;
    },

    /** A window's messages as full records, newest first: keep windows small at large scale. */
    messages(a: number, b: number): MessageRecord[] {
      const { lo, hi } = indexRange(a, b);
      const now = clock();
      const out: MessageRecord[] = [];
      for (let k = hi; k >= lo; k--) out.push(world.messages.record(k, now));
      return out;
    },

    /** Oldest and newest `created` and the total count existing now. */
    messageSpan(): { oldest: number; newest: number; count: number } {
      const timeline = world.messages.timeline;
      const hi = timeline.lastAtOrBefore(clock());
      return { oldest: timeline.at(0), newest: timeline.at(Math.max(0, hi)), count: hi + 1 };
    },
  };
}

export type MessageTruth = ReturnType<typeof messageTruth>;

function messageIndexRange(world: World, a: number, b: number, now: number): { lo: number; hi: number } {
  const timeline = world.messages.timeline;
  return { lo: timeline.firstAtOrAfter(a), hi: timeline.lastAtOrBefore(Math.min(b, now)) };
}
