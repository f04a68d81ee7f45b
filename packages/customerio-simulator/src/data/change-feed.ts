import type { ActivityRecord } from './activity-record.js';
import type { World } from './world.js';

/**
 * The activities of every change applied between syncs, people (data/people-changes.ts) and
 * objects (data/object-changes.ts), as one list in commit order, which is also time order:
 * every batch, of either kind, spreads its times over the span since the previous batch of
 * either kind (lastChangeAt), so a later batch never writes an activity older than an earlier
 * one's. The list only grows, so a feed token that names a position in it stays valid.
 */
export interface ChangeFeedEntry {
  at: number;
  /** The person the activity is on, or −1 for an object's activity. */
  p: number;
  activity: ActivityRecord;
  /** The object (type index, object index) of an object's or a relationship's activity. */
  object?: { t: number; i: number };
  /** The person of a relationship, when the activity is on its object (`p` −1). */
  related?: number;
}

/** The clock of the latest change batch of either kind, or the initial clock before any. */
export function lastChangeAt(world: World): number {
  const people = world.people.changes.lastAt;
  const objects = world.objects.changes.lastAt;
  if (people === undefined) return objects ?? world.clock.origin;
  return objects === undefined ? people : Math.max(people, objects);
}

const merged = new WeakMap<World, { people: number; objects: number; entries: readonly ChangeFeedEntry[] }>();

/** Every change activity, ascending in time, ties in commit then log order. */
export function changeFeed(world: World): readonly ChangeFeedEntry[] {
  const people = world.people.changes.feedEntries();
  const objects = world.objects.changes;
  // Without object batches this is exactly the people changes' own list.
  if (objects.batches === 0) return people;
  const objectFeed = objects.feedEntries();
  const cached = merged.get(world);
  if (cached !== undefined && cached.people === people.length && cached.objects === objectFeed.length) return cached.entries;
  const entries: ChangeFeedEntry[] = [];
  let p = 0;
  for (const span of objects.batchSpans()) {
    while (p < span.peopleFeed) entries.push(people[p++] as ChangeFeedEntry);
    for (let k = span.from; k < span.to; k++) entries.push(objectFeed[k] as ChangeFeedEntry);
  }
  while (p < people.length) entries.push(people[p++] as ChangeFeedEntry);
  merged.set(world, { people: people.length, objects: objectFeed.length, entries });
  return entries;
}
