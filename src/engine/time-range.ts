import type { SyncContext } from './context.js';

/**
 * The slice of time the time-bounded streams (messages, activities, metrics) may read:
 * [start_date, end_date], and never past the sync's start. Bookmarks never move past `end`,
 * so a backfill run month by month continues where the previous month stopped.
 */
export interface TimeRange {
  start: number | undefined; // unix seconds, inclusive
  end: number; // unix seconds: nothing at or after it is read (server windows) or kept (feeds)
}

export function timeRange(ctx: SyncContext): TimeRange {
  const { start_date, end_date } = ctx.config;
  const start = start_date === undefined ? undefined : Math.floor(Date.parse(start_date) / 1000);
  const end = end_date === undefined ? ctx.syncStartedAt : Math.min(ctx.syncStartedAt, Math.floor(Date.parse(end_date) / 1000));
  return { start, end };
}

/**
 * Where a time-bounded read starts: the bookmark less the lookback when there is one, else
 * start_date, else `defaultHistorySeconds` before the end; never before start_date.
 */
export function readFrom(range: TimeRange, bookmark: number | undefined, lookbackSeconds: number, defaultHistorySeconds: number): number {
  const from = bookmark !== undefined ? bookmark - lookbackSeconds : (range.start ?? range.end - defaultHistorySeconds);
  return range.start === undefined ? from : Math.max(from, range.start);
}
