import { CheckpointDue } from '../checkpoint.js';
import type { SyncContext } from '../context.js';
import { cursorValue, type Chunk } from '../chunk.js';
import { merge } from '../merge.js';
import { pages } from '../paginate.js';
import type { Incremental, Row, StreamDef } from '../stream.js';
import { gaps, type Interval } from '../intervals.js';
import { timeRange } from '../time-range.js';
import type { Reader } from './reader.js';
import { checkIntervalsField, checkUnixField, fixOrRemove, holdsAny } from './state-fields.js';
import { WindowProgress, windowState } from './window-progress.js';

type ServerWindow = Extract<Incremental, { mode: 'server-window' }>;

/**
 * Every request carries both bounds, whatever the sync mode: the API answers a request without
 * them with its default window only. Time windows are read oldest first, a few in flight at once;
 * when the plan is spent, a reader with nothing left takes the older half of the busiest window.
 * What is finished is kept by a `WindowProgress` (window-progress.ts), which writes the state.
 */
async function* readServerWindow(ctx: SyncContext, def: StreamDef, cursor: ServerWindow, state: unknown, incremental: boolean): AsyncGenerator<Chunk> {
  // A full refresh starts over, unless its state comes from a full refresh that was killed: that
  // one has finished intervals but no `high` (only a complete read sets it), and is continued.
  const previous = windowState(incremental || unfinished(state) ? state : undefined, cursor.field);
  const range = timeRange(ctx);
  const lower = range.start ?? cursor.earliest;
  const progress = new WindowProgress(cursor.field, lower, previous, cursor.lookbackSeconds);
  const pageSize = def.pagination.kind === 'cursor' ? (def.pagination.pageSize?.value ?? 50) : 50;
  const plan = planWindows(lower, range.end, { maxSeconds: cursor.maxWindowSeconds, pageSize, parallel: ctx.concurrency.windows, done: progress.skip });
  const live = new Set<Window>();
  const due = new CheckpointDue(ctx);
  // A state goes out when it says something new, or when records went out since the last one (a
  // re-read of finished intervals changes nothing, yet its records need a STATE after them).
  const checkpoint = (): Chunk | undefined => {
    const value = progress.stateIfNew(due.pending > 0);
    due.written();
    return value && { checkpoint: value };
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
      if (item.reached !== undefined) progress.reached(item.window, item.reached);
      if (due.add(item.records.length)) {
        const state = checkpoint();
        if (state) yield state;
      }
      continue;
    }
    live.delete(item.windowDone);
    progress.finished(item.windowDone);
    const state = checkpoint();
    if (state) yield state;
  }
  yield { checkpoint: progress.complete(range.end) };
}

function unfinished(state: unknown): boolean {
  if (!state || typeof state !== 'object') return false;
  const { done, high } = state as Row;
  return Array.isArray(done) && high === undefined;
}

/**
 * State: `{[cursor], done, high, refreshed}` (window-progress.ts). The plain `{[cursor]}` of
 * earlier versions reads as "everything before it is done".
 */
export const serverWindowsReader: Reader = {
  reads: (def) => def.cursor?.mode === 'server-window',
  loadState(def, saved, source) {
    const field = (def.cursor as ServerWindow).field;
    if (!holdsAny(def.name, saved, [field, 'done', 'high'], field, source)) return undefined;
    checkUnixField(def.name, saved, field, source, fixOrRemove(def.name));
    checkIntervalsField(def.name, saved, 'refreshed', source, `Fix or remove ${def.name}.refreshed: without it, the lookback is read again`);
    checkIntervalsField(def.name, saved, 'done', source, `Fix or remove ${def.name}.done: without it, ${def.name} is read again from its ${field} bookmark`);
    checkUnixField(def.name, saved, 'high', source, `Fix or remove ${def.name}.high`);
    return saved;
  },
  read: (ctx, def, state, mode) => readServerWindow(ctx, def, def.cursor as ServerWindow, state, mode === 'incremental'),
};

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
