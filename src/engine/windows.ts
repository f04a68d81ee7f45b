import { cursorValue } from './chunk.js';
import type { Row } from './stream.js';

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
