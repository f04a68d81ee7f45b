import type { SyncContext } from '../context.js';
import { cursorValue, numberAt, type Chunk } from '../chunk.js';
import { merge } from '../merge.js';
import { pages } from '../paginate.js';
import type { Incremental, Row, StreamDef } from '../stream.js';
import { readFrom, timeRange } from '../time-range.js';

type ServerWindow = Extract<Incremental, { mode: 'server-window' }>;

/**
 * Every request carries both bounds, whatever the sync mode: the API answers a request without
 * them with its default window only. Time windows oldest first, a few in flight at once; when the plan is spent, a reader with
 * nothing left takes the older half of the busiest window. The bookmark is the start of the
 * oldest window not yet finished, so a killed sync resumes after the last whole window.
 */
export async function* readServerWindow(ctx: SyncContext, def: StreamDef, cursor: ServerWindow, state: unknown): AsyncGenerator<Chunk> {
  const previous = numberAt(state, cursor.field);
  const range = timeRange(ctx);
  const to = range.end;
  const from = readFrom(range, previous, cursor.lookbackSeconds, range.end - cursor.earliest);

  const pageSize = def.pagination.kind === 'cursor' ? (def.pagination.pageSize?.value ?? 50) : 50;
  const plan = planWindows(from, to, { maxSeconds: cursor.maxWindowSeconds, pageSize, parallel: ctx.concurrency.windows });
  const live = new Set<Window>();
  let watermark = previous;

  type Item = Chunk | { windowDone: Window };
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
        if (kept.length > 0) yield { records: kept };
        break;
      }
      if (records.length > 0) yield { records };
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
    if (!('windowDone' in item)) {
      yield item;
      continue;
    }
    live.delete(item.windowDone);
    const oldestOpen = Math.min(plan.frontier, ...[...live].map((w) => w.start));
    if (oldestOpen > (watermark ?? from)) {
      watermark = oldestOpen;
      yield { checkpoint: { [cursor.field]: watermark } };
    }
  }
  yield { checkpoint: watermark === undefined ? {} : { [cursor.field]: watermark } };
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
  maxSeconds: number; // the API's longest allowed window
  pageSize: number;
  targetPages?: number; // aim for windows of about this many pages
  initialSeconds?: number;
  /** Windows read at once: a short range is still cut in that many, so they can run together. */
  parallel?: number;
  minSeconds?: number;
}

/**
 * Plans [from, to) as consecutive windows, sized from the record density seen so far so that
 * a window holds about `targetPages` pages (8: short enough that the last windows of a read end together, long enough that partial pages stay few): long windows waste no request on sparse history,
 * short ones keep checkpoints frequent and give concurrent windows something to share.
 */
export function planWindows(from: number, to: number, options: WindowPlanOptions) {
  const targetRecords = options.pageSize * (options.targetPages ?? 8);
  const minSeconds = options.minSeconds ?? 3600;
  const initialSeconds = Math.max(
    minSeconds,
    Math.min(options.maxSeconds, options.initialSeconds ?? 30 * 86_400, Math.ceil((to - from) / Math.max(1, options.parallel ?? 1))),
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
      let start = from;
      let index = 0;
      while (start < to) {
        const end = Math.min(to, start + lengthNow());
        frontier = end;
        yield { index, start, end };
        index++;
        start = end;
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
