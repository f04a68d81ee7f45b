import { describe, expect, it } from 'vitest';
import { capped, covers, gaps, normalize, parseIntervals, subtract, union, type Interval } from '../../src/engine/intervals.js';

/**
 * The interval functions behind the `messages` state (`done`: finished [start, end) intervals in
 * unix seconds): unit cases, then properties over seeded pseudo-random inputs checked against a
 * brute-force model that lists every second, and last the property the resumable read rests on:
 * whatever order windows finish in and wherever a read is killed, the gaps of the saved state hold
 * every record not yet emitted and no second of a finished window.
 */

/** xorshift32: a small seeded generator, so every failure replays with its seed. */
function random(seed: number): { int(lo: number, hi: number): number; real(): number; pick<T>(items: readonly T[]): T } {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
  return {
    /** An integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    real: next,
    pick: (items) => items[Math.floor(next() * items.length)] as never,
  };
}

type Random = ReturnType<typeof random>;

/** Random intervals with integer ends in [0, span]; some empty or backwards, which count for nothing. */
function randomIntervals(r: Random, span: number, maxCount = 8): Interval[] {
  return Array.from({ length: r.int(0, maxCount) }, (): Interval => {
    const a = r.int(0, span);
    const b = r.int(0, 6) === 0 ? r.int(0, span) : Math.min(span, a + r.int(0, Math.ceil(span / 4)));
    return [a, b];
  });
}

/** The brute-force model: the set of integer seconds t with a <= t < b for some [a, b). */
function seconds(intervals: readonly Interval[]): Set<number> {
  const out = new Set<number>();
  for (const [a, b] of intervals) for (let t = Math.ceil(a); t < b; t++) out.add(t);
  return out;
}

const inside = (intervals: readonly Interval[], t: number): boolean => intervals.some(([a, b]) => a <= t && t < b);

function expectNormalized(intervals: readonly Interval[]): void {
  intervals.forEach(([a, b], i) => {
    expect(a, JSON.stringify(intervals)).toBeLessThan(b);
    // Sorted, apart: the next one starts strictly after this one ends (adjacent ones are merged).
    if (i > 0) expect((intervals[i - 1] as Interval)[1], JSON.stringify(intervals)).toBeLessThan(a);
  });
}

const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);

describe('interval functions, by example', () => {
  it('normalize sorts, merges overlapping and adjacent intervals, and drops empty ones', () => {
    expect(
      normalize([
        [5, 7],
        [0, 2],
        [2, 3],
        [6, 9],
        [4, 4],
        [12, 10],
      ]),
    ).toEqual([
      [0, 3],
      [5, 9],
    ]);
    expect(normalize([])).toEqual([]);
  });

  it('union, subtract, gaps and covers', () => {
    expect(
      union(
        [[0, 5]],
        [
          [5, 8],
          [10, 12],
        ],
      ),
    ).toEqual([
      [0, 8],
      [10, 12],
    ]);
    expect(
      subtract(
        [[0, 10]],
        [
          [2, 3],
          [5, 7],
        ],
      ),
    ).toEqual([
      [0, 2],
      [3, 5],
      [7, 10],
    ]);
    expect(subtract([[0, 10]], [[-5, 20]])).toEqual([]);
    expect(
      gaps(0, 10, [
        [0, 4],
        [6, 10],
      ]),
    ).toEqual([[4, 6]]);
    expect(gaps(0, 10, [])).toEqual([[0, 10]]);
    expect(
      covers(
        [
          [0, 4],
          [4, 10],
        ],
        0,
        10,
      ),
    ).toBe(true);
    expect(
      covers(
        [
          [0, 4],
          [5, 10],
        ],
        0,
        10,
      ),
    ).toBe(false);
    // The lookback: what lies above high − lookback is taken out of `done`, up to infinity.
    expect(subtract([[0, 100]], [[70, Number.POSITIVE_INFINITY]])).toEqual([[0, 70]]);
  });

  it('capped keeps up to max intervals, and past it only the first', () => {
    const many: Interval[] = [
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ];
    expect(capped(many, 4)).toEqual(many);
    expect(capped(many, 3)).toEqual([[0, 1]]);
    expect(
      capped(
        [
          [4, 5],
          [0, 1],
          [1, 2],
        ],
        1,
      ),
    ).toEqual([[0, 2]]);
  });

  it('parseIntervals reads [start, end] pairs, normalized, and rejects anything else', () => {
    expect(
      parseIntervals([
        [10, 20],
        [0, 5],
        [5, 6],
      ]),
    ).toEqual([
      [0, 6],
      [10, 20],
    ]);
    expect(parseIntervals([])).toEqual([]);
    expect(parseIntervals([[3, 3]])).toEqual([]);
    for (const bad of [undefined, null, 5, 'x', {}, [[1]], [[1, 2, 3]], [[2, 1]], [['1', 2]], [[0, Number.NaN]], [[0, Number.POSITIVE_INFINITY]], [1, 2]]) {
      expect(parseIntervals(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('interval functions, against a second-by-second model (seeded random cases)', () => {
  const CASES = 500;

  it('normalize gives sorted, non-overlapping, non-adjacent intervals covering exactly the union of its input', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = random(seed);
      const input = randomIntervals(r, 60, 12);
      const out = normalize(input);
      expectNormalized(out);
      expect(sorted(seconds(out)), `seed ${seed}: ${JSON.stringify(input)}`).toEqual(sorted(seconds(input)));
      // Fractional ends too: sample points anywhere, not only whole seconds.
      const real = input.map(([a, b]): Interval => [a + r.real(), b + r.real()]);
      const realOut = normalize(real);
      expectNormalized(realOut);
      for (let i = 0; i < 200; i++) {
        const t = -1 + r.real() * 63;
        expect(inside(realOut, t), `seed ${seed}, t ${t}: ${JSON.stringify(real)}`).toBe(inside(real, t));
      }
    }
  });

  it('union, subtract, gaps and covers agree with the model', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = random(seed * 7919);
      const a = randomIntervals(r, 50);
      const b = randomIntervals(r, 50);
      const sa = seconds(a);
      const sb = seconds(b);
      const why = `seed ${seed}: a ${JSON.stringify(a)} b ${JSON.stringify(b)}`;

      const u = union(a, b);
      expectNormalized(u);
      expect(sorted(seconds(u)), why).toEqual(sorted(new Set([...sa, ...sb])));

      const d = subtract(a, b);
      expectNormalized(d);
      expect(sorted(seconds(d)), why).toEqual(sorted(sa).filter((t) => !sb.has(t)));

      const from = r.int(-5, 40);
      const to = from + r.int(0, 20);
      const g = gaps(from, to, b);
      expectNormalized(g);
      const expected: number[] = [];
      for (let t = from; t < to; t++) if (!sb.has(t)) expected.push(t);
      expect(sorted(seconds(g)), `${why} [${from}, ${to})`).toEqual(expected);
      expect(covers(b, from, to), `${why} [${from}, ${to})`).toBe(expected.length === 0);
    }
  });

  it('capped returns at most max intervals, never drops the first, and never claims a second not in its input', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = random(seed * 104_729);
      const input = randomIntervals(r, 80, 16);
      const max = r.int(1, 8);
      const out = capped(input, max);
      const merged = normalize(input);
      const why = `seed ${seed}, max ${max}: ${JSON.stringify(input)}`;
      expectNormalized(out);
      expect(out.length, why).toBeLessThanOrEqual(max);
      if (merged.length > 0) expect(out[0], why).toEqual(merged[0]);
      if (merged.length <= max) expect(out, why).toEqual(merged);
      const all = seconds(input);
      for (const t of seconds(out)) expect(all.has(t), `${why}: ${t}`).toBe(true);
    }
  });
});

/**
 * A read of [from, to) as the messages reader does it: the gaps of a previous state cut into
 * windows, several read at once and finishing in any order; each window reads its records newest
 * first, a page at a time, and a part-way window has finished [oldest created seen + 1, end)
 * (equal timestamps may straddle a page, so the oldest second seen is not whole). A reader may
 * split off the older part of a window below what it has reached. Killed at a random step, the
 * state saved is union(previous, finished ∪ partials); the restart reads gaps(from, to, state).
 */
describe('a read killed at any step resumes from the gaps of its state', () => {
  interface SimWindow {
    start: number;
    end: number;
    /** Records still to read, newest first (their created seconds). */
    left: number[];
    reached?: number;
  }

  function simulateKilledRead(seed: number, cap?: number) {
    const r = random(seed * 2_654_435_761);
    const from = r.int(0, 100);
    const to = from + r.int(1, 400);
    // Records: 0 to 3 a second, so equal timestamps straddle pages.
    const records: number[] = [];
    for (let t = from; t < to; t++) for (let n = r.pick([0, 0, 1, 1, 1, 2, 3]); n > 0; n--) records.push(t);
    // What an earlier killed run finished: every record in it was emitted then.
    const previous = normalize(randomIntervals(r, to - from, 5).map(([a, b]): Interval => [from + a, from + b]));
    const emitted = new Map<number, number>(); // second -> records emitted
    const emit = (t: number): void => void emitted.set(t, (emitted.get(t) ?? 0) + 1);
    for (const t of records) if (inside(previous, t)) emit(t);

    // Windows over the gaps, of random lengths.
    const pending: SimWindow[] = [];
    for (const [a, b] of gaps(from, to, previous)) {
      for (let s = a; s < b;) {
        const e = Math.min(b, s + r.int(1, 60));
        pending.push({ start: s, end: e, left: records.filter((t) => t >= s && t < e).reverse() });
        s = e;
      }
    }
    const pageSize = r.int(1, 6);
    const parallel = r.int(1, 6);
    const live: SimWindow[] = [];
    const finished: Interval[] = [];
    const finishedWindows: Interval[] = [];
    const killAt = r.int(0, 200);
    for (let step = 0; step < killAt; step++) {
      while (live.length < parallel && pending.length > 0) live.push(pending.shift() as SimWindow);
      if (live.length === 0) break;
      const window = r.pick(live);
      // Now and then the reader splits off the older part below what a window has reached.
      if (window.reached !== undefined && window.reached - window.start > 1 && r.int(0, 4) === 0) {
        const cut = r.int(window.start + 1, window.reached);
        pending.unshift({ start: window.start, end: cut, left: window.left.filter((t) => t < cut) });
        window.left = window.left.filter((t) => t >= cut);
        window.start = cut;
        continue;
      }
      const page = window.left.splice(0, pageSize);
      page.forEach(emit);
      const oldest = page.at(-1);
      if (oldest !== undefined) window.reached = oldest;
      if (window.left.length === 0) {
        // Its last page came back (possibly empty): finished.
        live.splice(live.indexOf(window), 1);
        finished.push([window.start, window.end]);
        finishedWindows.push([window.start, window.end]);
      }
    }
    const partials = live.filter((w) => w.reached !== undefined).map((w): Interval => [(w.reached as number) + 1, w.end]);
    let state = union(previous, [...finished, ...partials]);
    if (cap !== undefined) state = capped(state, cap);
    const resume = gaps(from, to, state);
    const unread = records.filter((t) => {
      const n = (emitted.get(t) ?? 0) - 1;
      if (n >= 0) emitted.set(t, n);
      return n < 0;
    });
    return {
      from,
      to,
      previous,
      finishedWindows,
      partials,
      state,
      resume,
      unread,
      why: `seed ${seed}: [${from}, ${to}) previous ${JSON.stringify(previous)} state ${JSON.stringify(state)}`,
    };
  }

  it('the gaps hold every record not yet emitted, and no second of a finished window or of the previous state', () => {
    let killedPartWay = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const { resume, unread, finishedWindows, previous, partials, why } = simulateKilledRead(seed);
      for (const t of unread) expect(inside(resume, t), `${why}: unread record at ${t}`).toBe(true);
      for (const [a, b] of [...finishedWindows, ...previous]) expect(subtract(resume, [[a, b]]), `${why}: [${a}, ${b}) is read again`).toEqual(resume);
      // Nor the finished part of a window part-way.
      for (const [a, b] of partials) expect(subtract(resume, [[a, b]]), `${why}: part-way [${a}, ${b})`).toEqual(resume);
      if (unread.length > 0 && partials.length > 0) killedPartWay++;
    }
    // The cases did kill reads with windows part-way, not only before or after them.
    expect(killedPartWay).toBeGreaterThan(100);
  });

  it('capping the state may read more again, but never loses an unread record', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const cap = random(seed).int(1, 4);
      const { resume, unread, why } = simulateKilledRead(seed, cap);
      for (const t of unread) expect(inside(resume, t), `${why}, cap ${cap}: unread record at ${t}`).toBe(true);
    }
  });
});
