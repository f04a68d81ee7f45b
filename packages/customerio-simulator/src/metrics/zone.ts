/**
 * Calendar arithmetic in one IANA time zone with nothing but Intl (Node 20 has no Temporal).
 *
 * The trick is "wall seconds": a local date-time read as if it were UTC. In wall seconds the
 * calendar is plain Date.UTC arithmetic (the next day is +86,400, the 1st of next month is
 * Date.UTC(y, m + 1, 1)); `instantOf` maps a wall time back to unix seconds, and that is the only
 * place where DST gaps and repeated hours need thought.
 *
 * Building an Intl.DateTimeFormat costs about 0.1 ms, more than a day of bucket arithmetic, so
 * formatters are shared per zone name. They are immutable and hold no simulation state, so
 * simulators running side by side still share nothing that could make them differ.
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 64;

function formatter(name: string): Intl.DateTimeFormat {
  let fmt = FORMATTERS.get(name);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (FORMATTERS.size >= MAX_FORMATTERS) FORMATTERS.clear();
    FORMATTERS.set(name, fmt);
  }
  return fmt;
}

export class Zone {
  readonly name: string;
  private readonly fmt: Intl.DateTimeFormat;
  /** UTC needs no Intl at all: the default of v2 metrics and the zone of journey metrics. */
  private readonly utc: boolean;

  /** Throws RangeError for a name that is not an IANA zone. */
  constructor(name: string) {
    this.fmt = formatter(name);
    this.name = this.fmt.resolvedOptions().timeZone;
    this.utc = this.name === 'UTC' || this.name === 'Etc/UTC';
  }

  /** The local date-time at instant `t`, as wall seconds. */
  wall(t: number): number {
    if (this.utc) return t;
    let y = 1970;
    let mo = 1;
    let d = 1;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const p of this.fmt.formatToParts(new Date(t * 1000))) {
      switch (p.type) {
        case 'year':
          y = Number(p.value);
          break;
        case 'month':
          mo = Number(p.value);
          break;
        case 'day':
          d = Number(p.value);
          break;
        // Some ICU builds still print midnight as 24 despite h23.
        case 'hour':
          h = Number(p.value) % 24;
          break;
        case 'minute':
          mi = Number(p.value);
          break;
        case 'second':
          s = Number(p.value);
          break;
        default:
          break;
      }
    }
    return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
  }

  /** UTC offset at instant `t`, seconds (America/New_York in winter: −18,000). */
  offset(t: number): number {
    return this.wall(t) - t;
  }

  /**
   * The earliest instant whose local time is at or after wall time `w`:
   * - usual case: the single instant showing `w`;
   * - `w` repeated (clocks went back over it): the first occurrence;
   * - `w` skipped (clocks jumped over it): the transition instant, where the new day/hour begins.
   * Assumes at most one offset change within a day of `w`, true of every real zone since 1970.
   */
  instantOf(w: number): number {
    const before = this.offset(w - 86_400);
    const after = this.offset(w + 86_400);
    const tA = w - before;
    const okA = this.wall(tA) === w;
    if (before === after) return okA ? tA : this.firstAtOrAfter(w, tA - 7_200, tA + 7_200);
    const tB = w - after;
    const okB = this.wall(tB) === w;
    if (okA && okB) return Math.min(tA, tB);
    if (okA) return tA;
    if (okB) return tB;
    // A gap: the transition lies between the two candidates.
    return this.firstAtOrAfter(w, Math.min(tA, tB), Math.max(tA, tB));
  }

  /** ISO 8601 of instant `t` in this zone: '2025-03-09T00:00:00-05:00' ('Z' for UTC). */
  iso(t: number): string {
    const w = this.wall(t);
    const local = new Date(w * 1000).toISOString().slice(0, 19);
    if (this.utc) return `${local}Z`;
    const off = w - t;
    const sign = off < 0 ? '-' : '+';
    const abs = Math.abs(off);
    const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
    const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
    return `${local}${sign}${hh}:${mm}`;
  }

  /** Binary search for the first instant in [lo, hi] whose wall time is ≥ w (monotone there). */
  private firstAtOrAfter(w: number, lo: number, hi: number): number {
    if (this.wall(hi) < w) return hi;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.wall(mid) >= w) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
