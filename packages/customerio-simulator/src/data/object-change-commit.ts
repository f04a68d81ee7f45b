import type { ObjectChangeBatch } from './object-changes.js';
import type { World } from './world.js';

/**
 * Applies a resolved object change batch to a world. Every world (the main thread's, the route
 * worker's) commits the same people and object batches in the same order, so each records the
 * batch at the same place among the people changes and serves the same merged feed.
 */
export function commitObjectChanges(world: World, batch: ObjectChangeBatch): void {
  world.objects.changes.commit(batch, (t) => world.objects.count(t), world.people.changes.feedEntries().length);
}
