import { cursorValue } from './chunk.js';
import type { Row } from './stream.js';

export interface Window {
  index: number;
  start: number; // unix seconds, inclusive
  end: number; // unix seconds, exclusive
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
  const ends: number[] = [];

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
        ends[index] = end;
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
    endOf(index: number): number {
      const end = ends[index];
      if (end === undefined) throw new Error(`window ${index} was never planned`);
      return end;
    },
  };
}
