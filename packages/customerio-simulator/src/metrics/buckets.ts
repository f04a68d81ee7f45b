import { Zone } from './zone.js';

export type Unit = 'hour' | 'day' | 'week' | 'month';

/** v2 `res` and journey `resolution` values (§6, §9.2: plural or -ly, 8 in all). */
export const RESOLUTIONS: Readonly<Record<string, Unit>> = {
  hours: 'hour',
  hourly: 'hour',
  days: 'day',
  daily: 'day',
  weeks: 'week',
  weekly: 'week',
  months: 'month',
  monthly: 'month',
};

export interface PeriodRule {
  unit: Unit;
  /** Most buckets a request may ask for; `steps=0` means this many. */
  max: number;
  /** Buckets when `steps` is omitted: the maximum, but 12 for months (vendor `steps` text). */
  omitted: number;
}

/** v1 `period` values (§6: max 24 hours, 45 days, 12 weeks, 121 months; default period days). */
export const PERIODS: Readonly<Record<string, PeriodRule>> = {
  hours: { unit: 'hour', max: 24, omitted: 24 },
  days: { unit: 'day', max: 45, omitted: 45 },
  weeks: { unit: 'week', max: 12, omitted: 12 },
  months: { unit: 'month', max: 121, omitted: 12 },
};

/**
 * v1 anchors buckets in US Eastern time (§6: "days at 00:00 EST, weeks Sunday, months the 1st").
 * The IANA zone rather than a fixed −05:00, so days around a DST change last 23 or 25 hours.
 */
export const V1_ZONE = 'America/New_York';

const HOUR = 3600;
const DAY = 86_400;

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/**
 * Bucket boundaries of one unit in one zone: hours start at minute 0, days at 00:00, weeks on
 * Sunday 00:00, months on the 1st 00:00, all local. Hours are fixed 3,600 s steps from an aligned
 * start (local hours only differ from that in zones with half-hour DST, e.g. Lord Howe).
 */
export class Calendar {
  constructor(
    readonly zone: Zone,
    readonly unit: Unit,
  ) {}

  /** Start of the bucket containing instant `t`. */
  alignDown(t: number): number {
    if (this.unit === 'hour') return t - mod(this.zone.wall(t), HOUR);
    return this.zone.instantOf(this.wallStart(this.zone.wall(t)));
  }

  /**
   * n + 1 edges of n consecutive buckets; the first is `first` buckets after the one containing
   * `t` (negative = earlier). Bucket i is [edges[i], edges[i + 1]).
   */
  edges(t: number, first: number, n: number): number[] {
    const out: number[] = [];
    if (this.unit === 'hour') {
      const b = this.alignDown(t);
      for (let i = 0; i <= n; i++) out.push(b + (first + i) * HOUR);
      return out;
    }
    const w0 = this.wallStart(this.zone.wall(t));
    for (let i = 0; i <= n; i++) out.push(this.zone.instantOf(this.wallShift(w0, first + i)));
    return out;
  }

  /** Edges of the buckets from the one containing `start` through the one containing `end`. */
  window(start: number, end: number): number[] {
    if (this.unit === 'hour') {
      const b0 = this.alignDown(start);
      return this.edges(start, 0, Math.floor((end - b0) / HOUR) + 1);
    }
    const w0 = this.wallStart(this.zone.wall(start));
    const out = [this.zone.instantOf(w0)];
    for (let k = 1; ; k++) {
      const b = this.zone.instantOf(this.wallShift(w0, k));
      out.push(b);
      if (b > end) return out;
    }
  }

  /** The wall time at which the bucket holding wall time `w` starts. */
  private wallStart(w: number): number {
    const day = w - mod(w, DAY);
    switch (this.unit) {
      case 'hour':
        return w - mod(w, HOUR);
      case 'day':
        return day;
      case 'week':
        return day - new Date(day * 1000).getUTCDay() * DAY;
      case 'month': {
        const d = new Date(day * 1000);
        return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
      }
    }
  }

  /** Wall-time bucket start `k` buckets after bucket start `ws`. */
  private wallShift(ws: number, k: number): number {
    switch (this.unit) {
      case 'hour':
        return ws + k * HOUR;
      case 'day':
        return ws + k * DAY;
      case 'week':
        return ws + 7 * k * DAY;
      case 'month': {
        const d = new Date(ws * 1000);
        return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1) / 1000;
      }
    }
  }
}

/** Edges of a v1 request at clock `now`: `n` buckets, the last one holding `now`. */
export function v1Edges(period: PeriodRule, n: number, now: number): number[] {
  return new Calendar(new Zone(V1_ZONE), period.unit).edges(now, -(n - 1), n);
}
