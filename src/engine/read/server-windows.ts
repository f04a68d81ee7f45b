import type { SyncContext } from '../context.js';
import { cursorValue, numberAt, type Chunk } from '../chunk.js';
import { merge } from '../merge.js';
import { pages } from '../paginate.js';
import type { Incremental, Row, StreamDef } from '../stream.js';
import { capped, gaps, intersect, parseIntervals, subtract, union, type Interval } from '../intervals.js';
import { timeRange } from '../time-range.js';

type ServerWindow = Extract<Incremental, { mode: 'server-window' }>;

/**
 * Every request carries both bounds, whatever the sync mode: the API answers a request without
 * them with its default window only. Time windows are read oldest first, a few in flight at once;
 * when the plan is spent, a reader with nothing left takes the older half of the busiest window.
 *
 * The state says what is finished, not just how far the oldest window got: `done` is the merged
 * list of finished intervals (a window counts once its last page came back; a window read newest
 * first that is part-way has finished [oldest seen + 1 s, end)), and `high` is where the last
 * complete read ended: the lookback below it is read again by the next read (`refreshed` holds what
 * of it a killed read already read again). A killed read resumes by reading the gaps, with the
 * same parallelism. `[field]` stays a plain timestamp (everything before it is
 * read) for tools that read only that.
 */
export async function* readServerWindow(ctx: SyncContext, def: StreamDef, cursor: ServerWindow, state: unknown, incremental: boolean): AsyncGenerator<Chunk> {
  // A full refresh starts over, unless its state comes from a full refresh that was killed: that
  // one has finished intervals but no `high` (only a complete read sets it), and is continued.
  const previous = windowState(incremental || unfinished(state) ? state : undefined, cursor.field);
  const range = timeRange(ctx);
  const to = range.end;
  const lower = range.start ?? cursor.earliest;
  // What the last complete read left in its lookback may have changed since (late metrics): read
  // it again, except what a killed read already read again (`refreshed`). What a killed read
  // finished after `high` was read since, and is not read again either.
  const lookback: Interval[] = previous.high === undefined ? [] : [[previous.high - cursor.lookbackSeconds, previous.high]];
  const skip = subtract(previous.done, subtract(lookback, previous.refreshed));

  const pageSize = def.pagination.kind === 'cursor' ? (def.pagination.pageSize?.value ?? 50) : 50;
  const plan = planWindows(lower, to, { maxSeconds: cursor.maxWindowSeconds, pageSize, parallel: ctx.concurrency.windows, done: skip });
  const live = new Set<Window>();
  const finished: Interval[] = [];
  const partial = new Map<Window, number>(); // window -> start of the part of it already emitted
  const every = ctx.checkpoints;
  let sinceRecords = 0;
  let sinceAt = ctx.clock.now();
  let lastState: string | undefined;

  // A state goes out when it says something new, or when records went out since the last one (a
  // re-read of finished intervals changes nothing, yet its records need a STATE after them).
  const snapshot = (): Chunk | undefined => {
    const now = [...finished, ...[...partial].map(([w, from]): Interval => [from, w.end])];
    const done = capped(union(previous.done, now), MAX_INTERVALS);
    const refreshed = capped(intersect(union(previous.refreshed, now), lookback), MAX_INTERVALS);
    const value = stateOf(cursor.field, done, lower, { ...previous, refreshed });
    const text = JSON.stringify(value);
    const emitted = sinceRecords > 0;
    sinceRecords = 0;
    sinceAt = ctx.clock.now();
    if (text === lastState && !emitted) return undefined;
    lastState = text;
    return { checkpoint: value };
  };

  type Item = { records: Row[]; window: Window; reached: number | undefined } | { windowDone: Window };
  const windowSource = async function* (window: Window): AsyncGenerator<Item> {
    const queried = window.start;
    const query = { [cursor.startParam]: window.start, [cursor.endParam]: window.end - 1 };
    let first = true;
    for await (const page of pages(ctx, def, { query })) {
      const records = page.records;
      if (first) plan.observe(window, records, page.next !== undefined, cursor.field);
      first = false;
      // Pages come newest first: the last record is the oldest this window has read.
      const last = records[records.length - 1];
      const oldest = last === undefined ? undefined : cursorValue(last, cursor.field);
      if (oldest !== undefined && oldest < (window.reached ?? Infinity)) window.reached = oldest;
      window.seen = (window.seen ?? 0) + records.length;
      if (window.start > queried && oldest !== undefined && oldest < window.start) {
        // The older part was split off to another reader: the records below the cut are its,
        // and nothing past this page is this window's any more.
        const kept = records.filter((record) => (cursorValue(record, cursor.field) ?? window.start) >= window.start);
        yield { records: kept, window, reached: undefined };
        break;
      }
      yield { records, window, reached: oldest };
    }
    yield { windowDone: window };
  };
  const sources = function* (): Generator<AsyncGenerator<Item>> {
    let index = 0;
    for (const window of plan.windows()) {
      live.add(window);
      index = window.index + 1;
      yield windowSource(window);
    }
    for (;;) {
      const older = splitOlderHalf(live, pageSize, index++);
      if (!older) return;
      live.add(older);
      yield windowSource(older);
    }
  };
  for await (const item of merge(sources(), ctx.concurrency.windows)) {
    if ('records' in item) {
      if (item.records.length > 0) yield { records: item.records };
      // Equal timestamps may straddle a page: only what is strictly newer than the oldest seen is whole.
      if (item.reached !== undefined) partial.set(item.window, Math.min(partial.get(item.window) ?? Infinity, item.reached + 1));
      sinceRecords += item.records.length;
      if (sinceRecords >= every.records || ctx.clock.now() - sinceAt >= every.seconds * 1000) {
        const checkpoint = snapshot();
        if (checkpoint) yield checkpoint;
      }
      continue;
    }
    live.delete(item.windowDone);
    partial.delete(item.windowDone);
    finished.push([item.windowDone.start, item.windowDone.end]);
    const checkpoint = snapshot();
    if (checkpoint) yield checkpoint;
  }
  // Every gap of [lower, to) is read: that is the whole range, and the lookback now counts from `to`.
  const done = capped(union(previous.done, [[lower, to]]), MAX_INTERVALS);
  yield { checkpoint: stateOf(cursor.field, done, lower, { ...previous, high: to, refreshed: [] }) };
}

function unfinished(state: unknown): boolean {
  if (!state || typeof state !== 'object') return false;
  const { done, high } = state as Row;
  return Array.isArray(done) && high === undefined;
}

/** Beyond this many finished intervals a state falls back to its oldest gap (it stays a few KB). */
const MAX_INTERVALS = 64;

interface WindowState {
  done: Interval[];
  high: number | undefined;
  /** Parts of the lookback below `high` that a read killed since has already read again. */
  refreshed: Interval[];
  bookmark: number | undefined;
}

/** The state as written, or migrated from the plain timestamp of earlier versions (everything before it read). */
export function windowState(state: unknown, field: string): WindowState {
  const bookmark = numberAt(state, field);
  const done = parseIntervals(state && typeof state === 'object' ? (state as Row)['done'] : undefined);
  const high = numberAt(state, 'high');
  const refreshed = parseIntervals(state && typeof state === 'object' ? (state as Row)['refreshed'] : undefined) ?? [];
  if (done !== undefined) return { done, high, refreshed, bookmark };
  return { done: bookmark === undefined ? [] : [[0, bookmark]], high: bookmark, refreshed: [], bookmark };
}

/** `[field]`: everything from `lower` up to it is read (forward only); `done` and `high` as above. */
function stateOf(field: string, done: Interval[], lower: number, previous: WindowState): Record<string, unknown> {
  const first = done.find(([a, b]) => a <= lower && b > lower);
  const through = Math.max(previous.bookmark ?? Number.NEGATIVE_INFINITY, first ? first[1] : lower);
  return {
    [field]: through,
    done: done.map(([a, b]) => [a, b]),
    ...(previous.high === undefined ? {} : { high: previous.high }),
    ...(previous.refreshed.length === 0 ? {} : { refreshed: previous.refreshed.map(([a, b]) => [a, b]) }),
  };
}

export interface Window {
  index: number;
  start: number; // unix seconds, inclusive; moves up when the window's older part is split off
  end: number; // unix seconds, exclusive
  /** Progress of a window being read (newest first): the oldest cursor seen, and records read. */
  reached?: number;
  seen?: number;
}

export interface WindowPlanOptions {
  /** Already read: no window is planned over these. */
  done?: readonly Interval[];
  maxSeconds: number; // the API's longest allowed window
  pageSize: number;
  targetPages?: number; // aim for windows of about this many pages
  initialSeconds?: number;
  /** Windows read at once: a short range is still cut in that many, so they can run together. */
  parallel?: number;
  minSeconds?: number;
}

/**
 * Plans the gaps of [from, to) as consecutive windows, sized from the record density seen so far so that
 * a window holds about `targetPages` pages (8: short enough that the last windows of a read end together, long enough that partial pages stay few): long windows waste no request on sparse history,
 * short ones keep checkpoints frequent and give concurrent windows something to share.
 */
export function planWindows(from: number, to: number, options: WindowPlanOptions) {
  const targetRecords = options.pageSize * (options.targetPages ?? 8);
  const minSeconds = options.minSeconds ?? 3600;
  const spans = gaps(from, to, options.done ?? []);
  const unread = spans.reduce((sum, [a, b]) => sum + (b - a), 0);
  const initialSeconds = Math.max(
    minSeconds,
    Math.min(options.maxSeconds, options.initialSeconds ?? 30 * 86_400, Math.ceil(unread / Math.max(1, options.parallel ?? 1))),
  );
  let density: number | undefined; // records per second
  let frontier = from; // where the next planned window starts

  const lengthNow = (): number => {
    if (density === undefined) return initialSeconds;
    if (density <= 0) return options.maxSeconds;
    return Math.round(Math.min(options.maxSeconds, Math.max(minSeconds, targetRecords / density)));
  };

  return {
    *windows(): Generator<Window> {
      let index = 0;
      for (const [spanStart, spanEnd] of spans) {
        let start = spanStart;
        while (start < spanEnd) {
          const end = Math.min(spanEnd, start + lengthNow());
          frontier = end;
          yield { index, start, end };
          index++;
          start = end;
        }
      }
    },
    /** Learns the density from a window's first page (newest first). */
    observe(window: Window, records: Row[], more: boolean, field: string): void {
      if (!more) {
        density = records.length / Math.max(1, window.end - window.start);
        return;
      }
      const times = records.map((r) => cursorValue(r, field)).filter((t): t is number => t !== undefined);
      if (times.length < 2) return;
      const span = Math.max(...times) - Math.min(...times);
      density = times.length / Math.max(1, span);
    },
    /** The start of the next window to plan: everything older has been handed out. */
    get frontier(): number {
      return frontier;
    },
  };
}

/**
 * Splits off the older half of the unread part of the window with most left, for a reader that
 * has nothing else to do: the last windows of a read then end together instead of one chain of
 * requests finishing alone at a quarter of the budget. Each window is read newest first, with one
 * page in flight beyond `reached`; a split needs at least a page on each side of that. Returns the
 * new window, or undefined when nothing is worth splitting. The split window keeps [cut, end):
 * its reader drops the records below `start` and stops there.
 */
export function splitOlderHalf(live: Iterable<Window>, pageSize: number, index: number): Window | undefined {
  let best: { window: Window; reached: number; ahead: number; left: number } | undefined;
  for (const window of live) {
    if (window.reached === undefined || !window.seen) continue;
    const density = window.seen / Math.max(1, window.end - window.reached);
    const ahead = window.reached - pageSize / density; // where the page in flight will likely end
    const left = (ahead - window.start) * density;
    if (left >= 2 * pageSize && (!best || left > best.left)) best = { window, reached: window.reached, ahead, left };
  }
  if (!best) return undefined;
  const cut = Math.floor((best.window.start + best.ahead) / 2);
  if (cut <= best.window.start || cut >= best.reached) return undefined;
  const older: Window = { index, start: best.window.start, end: cut };
  best.window.start = cut;
  return older;
}
