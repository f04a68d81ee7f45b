import type { World } from '../data/world.js';
import type { Leaf } from '../metrics/hourly.js';
import { leavesOf, type EntityIds, type EntityKind } from '../metrics/leaves.js';
import { seriesTable, type SeriesMap } from '../metrics/tally.js';
import { jsonReply, type Reply } from '../reply.js';
import { notFound } from './params.js';

/** The leaves an entity sums, or a 404 naming what is missing. */
export function entityLeaves(world: World, kind: EntityKind, ids: EntityIds): Leaf[] {
  return leavesOf(world, kind, ids, (what) => notFound(what));
}

/**
 * `language_variants` of an action: `{}` unless the action is translated, then one entry per
 * variant action id with that language's share of the action's totals. The entry's inner shape
 * (`{metric: {series}}`, mirroring the top level) is UNCONFIRMED.
 */
export function languageVariants(
  seed: number,
  leaves: readonly Leaf[],
  edges: readonly number[],
  now: number,
): Record<string, { metric: { series: SeriesMap } }> {
  const out: Record<string, { metric: { series: SeriesMap } }> = {};
  for (const leaf of leaves) {
    if (leaf.variantId !== undefined) out[String(leaf.variantId)] = { metric: { series: seriesTable(seed, [leaf], edges, now) } };
  }
  return out;
}

/**
 * A metrics answer stamped with the workspace clock as its `Date` header. v1 buckets end with
 * "the current period", and the server's clock is all a client can tell it from; Node would
 * otherwise stamp wall time, which differs from a frozen or advanced simulator clock.
 */
export function withWorkspaceDate(reply: Reply, now: number): Reply {
  return { ...reply, headers: { ...reply.headers, date: new Date(now * 1000).toUTCString() } };
}

export function metricsReply(body: unknown, now: number): Reply {
  return withWorkspaceDate(jsonReply(200, body), now);
}
