import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simulator } from '../src/index.js';
import { call, DAY, routeErrorStatus, start } from './helpers.js';

/** v2 campaign / action metrics: window alignment, bucket sums, window independence, errors. */

interface V2 {
  start: string;
  end: string;
  res: string;
  metric: { series: Record<string, number[]> };
  language_variants?: Record<string, { metric: { series: Record<string, number[]> } }>;
}

const HOUR = 3600;
/** A running campaign with every channel (email, SMS, in-app, push, webhook) since 2024. */
const CAMPAIGN = 11;
/** One of its email actions that has language variants (chosen from the truth, not hard-coded). */
let ACTION = 0;

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
  const translated = sim.truth.campaignActions(CAMPAIGN).find((a) => a.type === 'email' && sim.truth.languageVariantIds(CAMPAIGN, Number(a.id)).length > 0);
  ACTION = Number(translated?.id);
});
afterAll(async () => {
  await sim.close();
});

const utc = (y: number, mo: number, d: number, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi) / 1000;

/** Reference UTC calendar in plain Date arithmetic (independent of the simulator's Calendar). */
function utcBuckets(unit: 'hour' | 'day' | 'week' | 'month', s: number, e: number): number[] {
  const d = new Date(s * 1000);
  let b: number;
  if (unit === 'hour') b = s - (s % HOUR);
  else if (unit === 'day') b = s - (s % DAY);
  else if (unit === 'week') b = s - (s % DAY) - d.getUTCDay() * DAY;
  else b = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
  const out: number[] = [];
  while (b <= e) {
    out.push(b);
    const x = new Date(b * 1000);
    b = unit === 'hour' ? b + HOUR : unit === 'day' ? b + DAY : unit === 'week' ? b + 7 * DAY : Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + 1, 1) / 1000;
  }
  out.push(b);
  return out;
}

const isoZ = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

function v2(path: string, res: string, s: number, e: number, tz?: string): Promise<{ status: number; json: V2; text: string }> {
  return call<V2>(sim, `${path}?version=2&res=${res}&start=${s}&end=${e}${tz === undefined ? '' : `&tz=${encodeURIComponent(tz)}`}`);
}

function lengths(body: V2): number[] {
  return Object.values(body.metric.series).map((a) => a.length);
}

function sumHours(ids: readonly number[], series: string, from: number, to: number): number {
  let total = 0;
  for (let h = from; h < to; h += HOUR) total += sim.truth.hourlyCount('campaign_action', ids, series, h);
  return total;
}

describe('v2 windows in UTC', () => {
  const s = utc(2025, 7, 16, 13, 27) + 5; // a Wednesday afternoon
  const cases = [
    ['hours', 'hour', s + 5 * HOUR + 10],
    ['hourly', 'hour', s + 2 * HOUR],
    ['days', 'day', s + 3 * DAY],
    ['daily', 'day', s],
    ['weeks', 'week', s + 15 * DAY],
    ['weekly', 'week', s + 4 * DAY],
    ['months', 'month', s + 70 * DAY],
    ['monthly', 'month', s + 16 * DAY],
  ] as const;

  test.each(cases)('res=%s starts at the %s holding start and runs through the one holding end', async (res, unit, e) => {
    const r = await v2(`/v1/campaigns/${CAMPAIGN}/actions/${ACTION}/metrics`, res, s, e);
    expect(r.status, r.text).toBe(200);
    const edges = utcBuckets(unit, s, e);
    expect(Object.keys(r.json)).toEqual(['start', 'end', 'res', 'metric', 'language_variants']);
    expect(r.json.start).toBe(isoZ(edges[0] ?? 0));
    expect(r.json.end).toBe(isoZ(edges[edges.length - 1] ?? 0));
    expect(r.json.res).toBe(res);
    expect(new Set(lengths(r.json))).toEqual(new Set([edges.length - 1]));
    expect(sim.truth.v2BucketStarts(res, s, e)).toEqual(edges.slice(0, -1));
    // Values are the truth of their bucket.
    for (const name of ['attempted', 'opened', 'human_clicked']) {
      const values = r.json.metric.series[name] ?? [];
      values.forEach((v, i) => expect(v, `${name}[${i}]`).toBe(sim.truth.bucketCount('campaign_action', [CAMPAIGN, ACTION], name, res, edges[i] ?? 0)));
    }
  });

  test('end exactly on a boundary opens one more bucket; start = end gives one', async () => {
    const b = utc(2025, 7, 16);
    expect(lengths((await v2(`/v1/campaigns/${CAMPAIGN}/metrics`, 'days', b, b + DAY)).json)[0]).toBe(2);
    expect(lengths((await v2(`/v1/campaigns/${CAMPAIGN}/metrics`, 'days', b + 5, b + 5)).json)[0]).toBe(1);
  });
});

describe('v2 windows in America/New_York', () => {
  const action = (): string => `/v1/campaigns/${CAMPAIGN}/actions/${ACTION}/metrics`;

  test('the spring-forward day has 23 hours and is their exact sum', async () => {
    // 2025-03-09: 02:00 EST jumps to 03:00 EDT.
    const r = await v2(action(), 'days', utc(2025, 3, 9, 12), utc(2025, 3, 10, 12), 'America/New_York');
    expect(r.status, r.text).toBe(200);
    expect(r.json.start).toBe('2025-03-09T00:00:00-05:00');
    expect(r.json.end).toBe('2025-03-11T00:00:00-04:00');
    const dayStart = utc(2025, 3, 9, 5);
    const nextDay = utc(2025, 3, 10, 4);
    expect(nextDay - dayStart).toBe(23 * HOUR);
    for (const name of ['attempted', 'delivered', 'opened', 'clicked']) {
      expect(r.json.metric.series[name]?.[0], name).toBe(sumHours([CAMPAIGN, ACTION], name, dayStart, nextDay));
      expect(r.json.metric.series[name]?.[1], name).toBe(sumHours([CAMPAIGN, ACTION], name, nextDay, nextDay + DAY));
    }
    expect(r.json.metric.series.attempted?.[0]).toBeGreaterThan(0);
  });

  test('the DST week starts Sunday 00:00 EST, lasts 167 hours and is their exact sum', async () => {
    const r = await v2(action(), 'weeks', utc(2025, 3, 12, 15), utc(2025, 3, 16, 10), 'America/New_York');
    expect(r.json.start).toBe('2025-03-09T00:00:00-05:00');
    expect(r.json.end).toBe('2025-03-23T00:00:00-04:00');
    const weekStart = utc(2025, 3, 9, 5);
    const nextWeek = utc(2025, 3, 16, 4);
    expect(nextWeek - weekStart).toBe(167 * HOUR);
    expect(r.json.metric.series.sent?.[0]).toBe(sumHours([CAMPAIGN, ACTION], 'sent', weekStart, nextWeek));
    expect(sim.truth.bucketCount('campaign_action', [CAMPAIGN, ACTION], 'sent', 'weeks', weekStart, 'America/New_York')).toBe(r.json.metric.series.sent?.[0]);
  });

  test('the fall-back day has 25 hours; its repeated 01:00 hour is two buckets', async () => {
    const day = await v2(action(), 'days', utc(2025, 11, 2, 12), utc(2025, 11, 2, 12), 'America/New_York');
    expect(day.json.start).toBe('2025-11-02T00:00:00-04:00');
    expect(day.json.end).toBe('2025-11-03T00:00:00-05:00');
    expect(day.json.metric.series.attempted?.[0]).toBe(sumHours([CAMPAIGN, ACTION], 'attempted', utc(2025, 11, 2, 4), utc(2025, 11, 3, 5)));
    const hours = await v2(action(), 'hours', utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 7, 10), 'America/New_York');
    expect(hours.json.start).toBe('2025-11-02T01:00:00-04:00');
    expect(hours.json.end).toBe('2025-11-02T03:00:00-05:00');
    expect(lengths(hours.json)[0]).toBe(3);
  });

  test('months start on the 1st, local time', async () => {
    const r = await v2(action(), 'monthly', utc(2025, 3, 20), utc(2025, 4, 2), 'America/New_York');
    expect(r.json.start).toBe('2025-03-01T00:00:00-05:00');
    expect(r.json.end).toBe('2025-05-01T00:00:00-04:00');
    expect(r.json.res).toBe('monthly');
    expect(sim.truth.v2BucketStarts('months', utc(2025, 3, 20), utc(2025, 4, 2), 'America/New_York')).toEqual([utc(2025, 3, 1, 5), utc(2025, 4, 1, 4)]);
  });

  test('half-hour zones align to their local midnight', async () => {
    const r = await v2(action(), 'days', utc(2025, 6, 1, 12), utc(2025, 6, 1, 12), 'Asia/Kolkata');
    expect(r.json.start).toBe('2025-06-01T00:00:00+05:30');
    expect(r.json.end).toBe('2025-06-02T00:00:00+05:30');
  });
});

describe('v2 counts', () => {
  test('days, weeks and months are sums of their hours and days (HTTP against HTTP)', async () => {
    const path = `/v1/campaigns/${CAMPAIGN}/actions/${ACTION}/metrics`;
    const tz = 'America/New_York';
    const s = utc(2025, 2, 23, 5); // Sunday 2025-02-23 00:00 EST
    const e = utc(2025, 3, 31, 12);
    const days = (await v2(path, 'days', s, e, tz)).json;
    const weeks = (await v2(path, 'weeks', s, e, tz)).json;
    const months = (await v2(path, 'months', utc(2025, 3, 1, 5), e, tz)).json;
    const dayStarts = sim.truth.v2BucketStarts('days', s, e, tz);
    const hours = (await v2(path, 'hours', s, utc(2025, 3, 2, 5) - 1, tz)).json;
    for (const name of Object.keys(days.metric.series)) {
      const d = days.metric.series[name] ?? [];
      const h = hours.metric.series[name] ?? [];
      // The first week is 7 whole days.
      expect(weeks.metric.series[name]?.[0], name).toBe(d.slice(0, 7).reduce((a, b) => a + b, 0));
      // The first day is 24 hours.
      expect(d[0], name).toBe(h.slice(0, 24).reduce((a, b) => a + b, 0));
      // March: its days in the window.
      const march = dayStarts.flatMap((b, i) => (b >= utc(2025, 3, 1, 5) ? [d[i] ?? 0] : []));
      expect(march.length).toBe(31);
      expect(months.metric.series[name]?.[0], name).toBe(march.reduce((a, b) => a + b, 0));
    }
  });

  test('a campaign is the sum of its actions', async () => {
    const s = utc(2025, 9, 20);
    const e = utc(2025, 9, 24);
    const total = (await v2(`/v1/campaigns/${CAMPAIGN}/metrics`, 'days', s, e)).json.metric.series;
    const sum: Record<string, number[]> = {};
    for (const a of sim.truth.campaignActions(CAMPAIGN)) {
      const part = (await v2(`/v1/campaigns/${CAMPAIGN}/actions/${a.id}/metrics`, 'days', s, e)).json.metric.series;
      for (const [name, values] of Object.entries(part)) sum[name] = values.map((v, i) => v + (sum[name]?.[i] ?? 0));
    }
    expect(total).toEqual(sum);
    expect(total.prefetch_clicked).toBeDefined();
  });

  test('a bucket has the same counts whatever window it is read in', async () => {
    const b = utc(2025, 8, 4);
    const narrow = (await v2(`/v1/campaigns/${CAMPAIGN}/metrics`, 'days', b + 7, b + 2 * DAY)).json;
    const wide = (await v2(`/v1/campaigns/${CAMPAIGN}/metrics`, 'days', b - 20 * DAY, b + 9 * DAY)).json;
    for (const [name, values] of Object.entries(narrow.metric.series)) {
      expect(values, name).toEqual(wide.metric.series[name]?.slice(20, 23));
    }
    expect(narrow.metric.series.attempted?.[0]).toBeGreaterThan(0);
  });

  test('buckets before the campaign started, after the clock, and of draft campaigns are 0', async () => {
    const first = sim.truth.campaign(CAMPAIGN)?.first_started ?? 0;
    const before = (await v2(`/v1/campaigns/${CAMPAIGN}/metrics`, 'months', first - 400 * DAY, first - 40 * DAY)).json;
    for (const values of Object.values(before.metric.series)) expect(values.every((v) => v === 0)).toBe(true);
    const now = sim.now();
    const future = (await v2(`/v1/campaigns/${CAMPAIGN}/metrics`, 'hours', now + HOUR, now + 5 * HOUR)).json;
    for (const values of Object.values(future.metric.series)) expect(values.every((v) => v === 0)).toBe(true);
    const draft = sim.truth.campaigns().find((c) => c.state === 'draft' && c.actions !== null);
    const d = (await v2(`/v1/campaigns/${draft?.id}/metrics`, 'months', now - 300 * DAY, now)).json;
    expect(Object.keys(d.metric.series).length).toBeGreaterThan(0);
    for (const values of Object.values(d.metric.series)) expect(values.every((v) => v === 0)).toBe(true);
  });

  test('a campaign without actions has no series at all', async () => {
    const empty = sim.truth.campaigns().find((c) => c.actions === null);
    const r = await v2(`/v1/campaigns/${empty?.id}/metrics`, 'days', sim.now() - 3 * DAY, sim.now());
    expect(r.json.metric.series).toEqual({});
  });

  test('the action endpoint adds language_variants: keyed by variant action id, or {}', async () => {
    const s = utc(2025, 9, 1);
    const e = utc(2025, 9, 5);
    const r = await v2(`/v1/campaigns/${CAMPAIGN}/actions/${ACTION}/metrics`, 'days', s, e);
    expect(Object.keys(r.json)).toEqual(['start', 'end', 'res', 'metric', 'language_variants']);
    const ids = sim.truth.languageVariantIds(CAMPAIGN, ACTION);
    expect(ids.length).toBeGreaterThan(0);
    expect(Object.keys(r.json.language_variants ?? {})).toEqual(ids.map(String));
    const starts = sim.truth.v2BucketStarts('days', s, e);
    for (const id of ids) {
      const series = r.json.language_variants?.[String(id)]?.metric.series ?? {};
      for (const [name, values] of Object.entries(series)) {
        values.forEach((v, i) => {
          expect(v).toBe(sim.truth.bucketCount('campaign_action', [CAMPAIGN, ACTION, id], name, 'days', starts[i] ?? 0));
          // A language's counts are part of the action's totals.
          expect(v).toBeLessThanOrEqual(r.json.metric.series[name]?.[i] ?? 0);
        });
      }
    }
    const plain = sim.truth.campaignActions(CAMPAIGN).find((a) => sim.truth.languageVariantIds(CAMPAIGN, Number(a.id)).length === 0);
    const other = await v2(`/v1/campaigns/${CAMPAIGN}/actions/${plain?.id}/metrics`, 'days', s, e);
    expect(other.json.language_variants).toEqual({});
  });
});

describe('v2 errors', () => {
  const base = `/v1/campaigns/${CAMPAIGN}/metrics?version=2`;
  const now = 1_760_000_000;
  test.each([
    [`${base}&start=${now - DAY}&end=${now}`, 'res'],
    [`${base}&res=days&end=${now}`, 'start'],
    [`${base}&res=days&start=${now - DAY}`, 'end'],
    [`${base}&res=years&start=${now - DAY}&end=${now}`, 'res'],
    [`${base}&res=days&start=${now}&end=${now - 1}`, 'start'],
    [`${base}&res=days&start=${now - 11 * 365 * DAY}&end=${now}`, 'end'],
    [`${base}&res=days&start=${now - DAY}&end=${now}&tz=Mars/Olympus_Mons`, 'tz'],
    [`${base}&res=days&start=-5&end=${now}`, 'start'],
    [`${base}&res=days&start=abc&end=${now}`, 'start'],
    [`/v1/campaigns/${CAMPAIGN}/metrics?version=3`, 'version'],
    [`${base}&res=days&start=${now - DAY}&end=${now}&type=fax`, 'type'],
  ])('%s → 400 naming %s', async (path, name) => {
    const r = await call<{ errors: { detail: string; status: string | number }[] }>(sim, path);
    expect(r.status).toBe(400);
    expect(r.json.errors[0]?.status).toBe(routeErrorStatus(path, 400));
    expect(r.json.errors[0]?.detail).toContain(name);
  });

  test('exactly 10 years is allowed', async () => {
    const path = '/v1/campaigns/15/metrics?version=2&res=months';
    expect((await call(sim, `${path}&start=${utc(2015, 10, 9)}&end=${utc(2025, 10, 9)}`)).status).toBe(200);
    expect((await call(sim, `${path}&start=${utc(2015, 10, 9)}&end=${utc(2025, 10, 9) + 1}`)).status).toBe(400);
  });

  test('unknown campaign or action → 404 errors envelope', async () => {
    const q = `?version=2&res=days&start=${now - DAY}&end=${now}`;
    for (const path of [`/v1/campaigns/999/metrics${q}`, `/v1/campaigns/${CAMPAIGN}/actions/999/metrics${q}`, `/v1/campaigns/4/metrics${q}`]) {
      const r = await call<{ errors: { status: string | number }[] }>(sim, path);
      expect(r.status, path).toBe(404);
      expect(r.json.errors[0]?.status).toBe(routeErrorStatus(path, 404));
    }
  });
});
