import type { World } from '../data/world.js';
import { Calendar, PERIODS, RESOLUTIONS, v1Edges } from './buckets.js';
import { HOUR } from './hourly.js';
import { goneUnder, leavesOf as servedLeaves, type EntityIds, type EntityKind, type Missing } from './leaves.js';
import { linkTable, seriesTable } from './tally.js';
import { Zone } from './zone.js';

/**
 * Ground truth of the metrics endpoints, for GroundTruth (truth/metrics.ts) to expose. Every answer is
 * computed by the same leaves and tallies as the routes, at the world's current clock; unknown
 * entities and bad arguments throw RangeError, deleted entities and those under a deleted parent
 * report nothing.
 */

const missing = (what: string): Error => new RangeError(`no such ${what}`);

/**
 * The leaves of an entity as truth sees them: none when it is deleted or under a deleted parent
 * (its endpoints answer 404, so nothing of it is served: no series, zero counts, no links), else
 * the routes' leaves.
 */
function leavesOf(world: World, kind: EntityKind, ids: EntityIds, notFound: Missing) {
  return goneUnder(world, kind, ids) !== undefined ? [] : servedLeaves(world, kind, ids, notFound);
}

function unitOf(res: string) {
  const unit = RESOLUTIONS[res];
  if (unit === undefined) throw new RangeError(`unknown resolution ${res}`);
  return unit;
}

/** Edges of the single bucket (of `res` in `tz`) that contains `t`. */
function bucketEdges(res: string, t: number, tz: string): number[] {
  return new Calendar(new Zone(tz), unitOf(res)).edges(t, 0, 1);
}

function hourEdges(hourStart: number): number[] {
  if (!Number.isInteger(hourStart) || hourStart % HOUR !== 0) throw new RangeError(`${hourStart} is not the start of a UTC hour`);
  return [hourStart, hourStart + HOUR];
}

export function seriesNames(world: World, kind: EntityKind, ids: EntityIds): string[] {
  const leaves = leavesOf(world, kind, ids, missing);
  return Object.keys(seriesTable(world.seed, leaves, [], world.now()));
}

export function hourlyCount(world: World, kind: EntityKind, ids: EntityIds, series: string, hourStart: number): number {
  const leaves = leavesOf(world, kind, ids, missing);
  return seriesTable(world.seed, leaves, hourEdges(hourStart), world.now())[series]?.[0] ?? 0;
}

export function bucketCount(world: World, kind: EntityKind, ids: EntityIds, series: string, res: string, bucketStart: number, tz: string): number {
  const leaves = leavesOf(world, kind, ids, missing);
  return seriesTable(world.seed, leaves, bucketEdges(res, bucketStart, tz), world.now())[series]?.[0] ?? 0;
}

export function links(world: World, kind: EntityKind, ids: EntityIds): { id: number; href: string }[] {
  const leaves = leavesOf(world, kind, ids, missing);
  return linkTable(world.seed, leaves, [], world.now(), false).map((l) => l.link);
}

export type LinkSeriesName = 'clicked' | 'human_clicked' | 'machine_clicked';

export function linkBucketCount(
  world: World,
  kind: EntityKind,
  ids: EntityIds,
  linkId: number,
  series: LinkSeriesName,
  res: string,
  bucketStart: number,
  tz: string,
  unique: boolean,
): number {
  const leaves = leavesOf(world, kind, ids, missing);
  const rows = linkTable(world.seed, leaves, bucketEdges(res, bucketStart, tz), world.now(), unique);
  const row = rows.find((r) => r.link.id === linkId);
  if (row === undefined) throw new RangeError(`no link ${linkId} on this ${kind}`);
  return row.metric.series[series][0] ?? 0;
}

/** Bucket starts of a v1 request now: `steps` as the API reads it (omitted, 0, 1, …, max). */
export function v1BucketStarts(world: World, period: string, steps?: number): number[] {
  const rule = PERIODS[period];
  if (rule === undefined) throw new RangeError(`unknown period ${period}`);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 0 || steps > rule.max)) throw new RangeError(`steps ${steps} out of range`);
  const n = steps === undefined ? rule.omitted : steps === 0 ? rule.max : Math.max(2, steps);
  return v1Edges(rule, n, world.now()).slice(0, n);
}

/** Bucket starts of a v2 (or journey) window: from the bucket holding `start` through the one holding `end`. */
export function v2BucketStarts(res: string, start: number, end: number, tz: string): number[] {
  return new Calendar(new Zone(tz), unitOf(res)).window(start, end).slice(0, -1);
}

/** Language variant action ids of a campaign action (`language_variants` keys); [] for most. */
export function languageVariantIds(world: World, campaignId: number, actionId: number): number[] {
  return leavesOf(world, 'campaign_action', [campaignId, actionId], missing).flatMap((l) => (l.variantId === undefined ? [] : [l.variantId]));
}
