/**
 * Calendar buckets in a time zone (days at 00:00, weeks on Sunday, months on the 1st): a
 * bucket's start is computed in the zone an API anchors it in, across DST changes, before it
 * becomes a UTC timestamp.
 */
export type Resolution = 'hours' | 'days' | 'weeks' | 'months';

interface Parts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function zonedParts(unix: number, tz: string): Parts {
  const values: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(new Date(unix * 1000))) values[part.type] = part.value;
  return {
    year: Number(values['year']),
    month: Number(values['month']),
    day: Number(values['day']),
    hour: Number(values['hour']),
    minute: Number(values['minute']),
    second: Number(values['second']),
    weekday: WEEKDAYS.indexOf(values['weekday'] ?? 'Sun'),
  };
}

/** The unix time of a wall-clock time in `tz` (the earlier one when DST repeats an hour). */
export function zonedToUnix(year: number, month: number, day: number, hour: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, hour) / 1000;
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(guess, tz);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000;
    const next = guess + (wall - seen);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

/** Start of the bucket that contains `unix`. */
export function bucketStart(unix: number, res: Resolution, tz: string): number {
  if (res === 'hours') return unix - (((unix % 3600) + 3600) % 3600);
  const p = zonedParts(unix, tz);
  if (res === 'days') return zonedToUnix(p.year, p.month, p.day, 0, tz);
  if (res === 'weeks') {
    const date = new Date(Date.UTC(p.year, p.month - 1, p.day - p.weekday));
    return zonedToUnix(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0, tz);
  }
  return zonedToUnix(p.year, p.month, 1, 0, tz);
}

/** The start of the bucket `n` buckets after (or, negative, before) the bucket starting at `start`. */
export function addBuckets(start: number, res: Resolution, n: number, tz: string): number {
  if (res === 'hours') return start + n * 3600;
  const p = zonedParts(start, tz);
  const date =
    res === 'months' ? new Date(Date.UTC(p.year, p.month - 1 + n, 1)) : new Date(Date.UTC(p.year, p.month - 1, p.day + n * (res === 'weeks' ? 7 : 1)));
  return zonedToUnix(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0, tz);
}

/** How many buckets from the one containing `from` through the one containing `to`, inclusive. */
export function bucketsBetween(from: number, to: number, res: Resolution, tz: string): number {
  const first = bucketStart(from, res, tz);
  const last = bucketStart(to, res, tz);
  if (res === 'hours') return Math.floor((last - first) / 3600) + 1;
  if (res === 'days' || res === 'weeks') {
    const size = res === 'days' ? 86_400 : 7 * 86_400;
    // DST moves boundaries by an hour at most: rounding to whole buckets is exact.
    return Math.round((last - first) / size) + 1;
  }
  const a = zonedParts(first, tz);
  const b = zonedParts(last, tz);
  return (b.year - a.year) * 12 + (b.month - a.month) + 1;
}

export function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}
