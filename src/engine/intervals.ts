/**
 * Sets of finished time intervals, [start, end) in unix seconds, kept sorted and merged. A read
 * that runs several windows at once records each finished one here, so a killed read resumes by
 * reading only the gaps instead of everything after its oldest unfinished window.
 */
export type Interval = readonly [start: number, end: number];

/** Sorted, non-overlapping, non-adjacent intervals with start < end. */
export function normalize(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function union(a: readonly Interval[], b: Iterable<Interval>): Interval[] {
  return normalize([...a, ...b]);
}

/** `from` less every interval of `cut`. */
export function subtract(from: readonly Interval[], cut: readonly Interval[]): Interval[] {
  let rest = normalize(from);
  for (const [c, d] of normalize(cut)) {
    rest = rest.flatMap(([a, b]): Interval[] => {
      if (d <= a || c >= b) return [[a, b]];
      const parts: Interval[] = [];
      if (a < c) parts.push([a, c]);
      if (d < b) parts.push([d, b]);
      return parts;
    });
  }
  return rest;
}

/** What `a` and `b` both cover. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  return subtract(a, subtract(a, b));
}

/** The parts of [from, to) not covered by `done`, oldest first. */
export function gaps(from: number, to: number, done: readonly Interval[]): Interval[] {
  return subtract([[from, to]], done);
}

/** True when every second of [from, to) is covered. */
export function covers(done: readonly Interval[], from: number, to: number): boolean {
  return gaps(from, to, done).length === 0;
}

/**
 * Keeps a state small however long the history: past `max` intervals, everything after the
 * first gap is forgotten (read again), which is the plain "oldest gap" bookmark.
 */
export function capped(intervals: readonly Interval[], max: number): Interval[] {
  const merged = normalize(intervals);
  return merged.length <= max ? merged : merged.slice(0, 1);
}

/** Reads a list of [start, end] pairs from a state file; anything else is no interval. */
export function parseIntervals(value: unknown): Interval[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Interval[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 2) return undefined;
    const [a, b] = item as unknown[];
    if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b) || b < a) return undefined;
    out.push([a, b]);
  }
  return normalize(out);
}
