import type { SyncContext } from './context.js';

/**
 * The slice of time the time-bounded streams (server windows, feeds, metrics) may read:
 * [range.start, range.end), and never past the sync's start. Bookmarks never move past `end`,
 * so a backfill run month by month continues where the previous month stopped.
 */
export interface TimeRange {
  start: number | undefined; // unix seconds, inclusive
  end: number; // unix seconds: nothing at or after it is read (server windows) or kept (feeds)
}

export function timeRange(ctx: SyncContext): TimeRange {
  const { start, end } = ctx.range;
  return { start, end: end === undefined ? ctx.syncStartedAt : Math.min(ctx.syncStartedAt, end) };
}

/**
 * Where a time-bounded read starts: the bookmark less the lookback when there is one, else
 * the range's start, else `defaultHistorySeconds` before the end; never before the range's start.
 */
export function readFrom(range: TimeRange, bookmark: number | undefined, lookbackSeconds: number, defaultHistorySeconds: number): number {
  const from = bookmark !== undefined ? bookmark - lookbackSeconds : (range.start ?? range.end - defaultHistorySeconds);
  return range.start === undefined ? from : Math.max(from, range.start);
}
