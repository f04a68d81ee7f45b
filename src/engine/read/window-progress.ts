import { numberAt } from '../chunk.js';
import { capped, intersect, parseIntervals, subtract, union, type Interval } from '../intervals.js';
import type { Row } from '../stream.js';

/** Beyond this many finished intervals a state falls back to its oldest gap (it stays a few KB). */
const MAX_INTERVALS = 64;

export interface WindowState {
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

/** A window being read, newest first: [start, end) in unix seconds. */
interface Span {
  start: number;
  end: number;
}

/**
 * What a windowed read has finished, as a state: pure, so it is tested without HTTP.
 *
 * The state says what is finished, not just how far the oldest window got: `done` is the merged
 * list of finished intervals (a window counts once its last page came back; a window read newest
 * first that is part-way has finished [oldest seen + 1 s, end)), and `high` is where the last
 * complete read ended: the lookback below it is read again by the next read (`refreshed` holds
 * what of it a killed read already read again). A killed read resumes by reading the gaps.
 * `[field]` stays a plain timestamp (everything before it is read) for tools that read only that.
 */
export class WindowProgress {
  /** What the last complete read left in its lookback (late metrics): read again. */
  private readonly lookback: Interval[];
  private readonly done: Interval[] = [];
  private readonly partial = new Map<Span, number>(); // window -> start of the part of it already read
  private last: string | undefined;

  constructor(
    private readonly field: string,
    private readonly lower: number,
    private readonly previous: WindowState,
    lookbackSeconds: number,
  ) {
    this.lookback = previous.high === undefined ? [] : [[previous.high - lookbackSeconds, previous.high]];
  }

  /** Needs no read: finished before, less the lookback not yet read again by a killed read. */
  get skip(): Interval[] {
    return subtract(this.previous.done, subtract(this.lookback, this.previous.refreshed));
  }

  /** A page of `window` came back whose oldest record is at `oldest`. */
  reached(window: Span, oldest: number): void {
    // Equal timestamps may straddle a page: only what is strictly newer than the oldest seen is whole.
    this.partial.set(window, Math.min(this.partial.get(window) ?? Infinity, oldest + 1));
  }

  finished(window: Span): void {
    this.partial.delete(window);
    this.done.push([window.start, window.end]);
  }

  /** The state now, when it says something new or records went out since the last one. */
  stateIfNew(recordsSince: boolean): Record<string, unknown> | undefined {
    const now = [...this.done, ...[...this.partial].map(([w, from]): Interval => [from, w.end])];
    const done = capped(union(this.previous.done, now), MAX_INTERVALS);
    const refreshed = capped(intersect(union(this.previous.refreshed, now), this.lookback), MAX_INTERVALS);
    const value = this.stateOf(done, { ...this.previous, refreshed });
    const text = JSON.stringify(value);
    if (text === this.last && !recordsSince) return undefined;
    this.last = text;
    return value;
  }

  /** Every gap of [lower, to) is read: that is the whole range, and the lookback now counts from `to`. */
  complete(to: number): Record<string, unknown> {
    const done = capped(union(this.previous.done, [[this.lower, to]]), MAX_INTERVALS);
    return this.stateOf(done, { ...this.previous, high: to, refreshed: [] });
  }

  /** `[field]`: everything from `lower` up to it is read (forward only); `done` and `high` as above. */
  private stateOf(done: Interval[], previous: WindowState): Record<string, unknown> {
    const first = done.find(([a, b]) => a <= this.lower && b > this.lower);
    const through = Math.max(previous.bookmark ?? Number.NEGATIVE_INFINITY, first ? first[1] : this.lower);
    return {
      [this.field]: through,
      done: done.map(([a, b]) => [a, b]),
      ...(previous.high === undefined ? {} : { high: previous.high }),
      ...(previous.refreshed.length === 0 ? {} : { refreshed: previous.refreshed.map(([a, b]) => [a, b]) }),
    };
  }
}
