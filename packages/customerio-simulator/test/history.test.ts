import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LEGACY_AGE_DAYS, MESSAGE_HISTORY_DAYS, type MessageRecord, type Simulator } from '../src/index.js';
import { call, DAY, list, NOW, start, walk } from './helpers.js';

const SIX_MONTHS = 183 * DAY;
/** 121 months, the longest v1 window, is a little over 10 years. */
const V1_MONTHS_SPAN = 121 * 31 * DAY;

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

type Series = Record<string, number[]>;

describe('history longer than every API window', () => {
  test('messages: 18 months at the yearly rate; a reader without windows, or with one, misses most', async () => {
    const span = sim.truth.messageSpan();
    expect(MESSAGE_HISTORY_DAYS).toBeGreaterThanOrEqual(548);
    expect(span.oldest).toBeLessThanOrEqual(NOW - 547 * DAY);
    expect(span.oldest).toBeGreaterThan(NOW - 549 * DAY);
    // The rate: 3,000 a year at small scale, in any year of the history.
    expect(sim.truth.messageCount(NOW - 365 * DAY + 1, NOW)).toBeGreaterThanOrEqual(2999);
    expect(sim.truth.messageCount(NOW - 365 * DAY + 1, NOW)).toBeLessThanOrEqual(3001);
    // No window: only the latest 6 months.
    const unbounded = await walk<MessageRecord>(sim, '/v1/messages?limit=1000', list('messages'));
    expect(unbounded.records.length).toBe(sim.truth.messageCount(NOW - SIX_MONTHS, NOW));
    expect(unbounded.records.length).toBeLessThan(span.count / 2);
    // Only one request may not cover it: longer windows are a 400.
    expect((await call(sim, `/v1/messages?start_ts=${span.oldest}&end_ts=${NOW}`)).status).toBe(400);
    expect((await call(sim, `/v1/messages?start_ts=${span.oldest}`)).status).toBe(400);
    // The oldest window still holds data.
    const oldest = await walk<MessageRecord>(sim, `/v1/messages?limit=1000&start_ts=${span.oldest}&end_ts=${span.oldest + SIX_MONTHS}`, list('messages'));
    expect(oldest.records.length).toBeGreaterThan(1000);
  });

  test('v1 metrics: the oldest campaign and transactional message count in the first of 121 monthly buckets', async () => {
    const legacy = sim.truth.campaigns()[1];
    expect(legacy?.created).toBeLessThan(NOW - V1_MONTHS_SPAN);
    expect(legacy?.state).not.toBe('draft');
    for (const path of [`/v1/campaigns/${legacy?.id}/metrics?period=months&steps=0`, '/v1/transactional/1/metrics?period=months&steps=0']) {
      const res = await call<{ metric: { series: Series } }>(sim, path);
      expect(res.status, path).toBe(200);
      const attempted = res.json.metric.series.attempted ?? [];
      expect(attempted).toHaveLength(121);
      // Sending already in the oldest bucket the API can serve: there is more before it.
      expect(attempted[0], path).toBeGreaterThan(0);
    }
    expect(sim.truth.transactional()[0]?.created_at).toBeLessThan(NOW - V1_MONTHS_SPAN);
  });

  test('v1 metrics: the oldest newsletter and broadcast sent before the 121-month window began', async () => {
    const [first] = sim.truth.v1BucketStarts('months', 0);
    const newsletter = sim.truth.newsletters()[0];
    expect(newsletter?.sent_at).not.toBeNull();
    expect(newsletter?.sent_at).toBeLessThan(first ?? 0);
    const legacy = sim.truth.broadcasts()[2];
    expect(legacy?.created).toBeLessThan(NOW - LEGACY_AGE_DAYS * DAY + DAY);
    const [trigger] = sim.truth.broadcastTriggers(legacy?.id ?? 0);
    expect(trigger?.created_at).toBeLessThan(first ?? 0);
  });

  test('v2 metrics: the whole history of the oldest campaign needs more than one window (10-year cap)', async () => {
    const legacy = sim.truth.campaigns()[1];
    const created = legacy?.created ?? 0;
    const base = `/v1/campaigns/${legacy?.id}/metrics?version=2&res=months`;
    expect((await call(sim, `${base}&start=${created}&end=${NOW}`)).status).toBe(400);
    const older = await call<{ metric: { series: Series } }>(sim, `${base}&start=${created}&end=${created + 365 * DAY}`);
    expect(older.status).toBe(200);
    expect((older.json.metric.series.attempted ?? []).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  test('the other collections with a time dimension span more than any window applied to them', () => {
    // Activities: covered in activities.test.ts (90 days generated, 30 days + a tail served).
    // Lists without a time window are read whole; their history is long anyway.
    const oldest = (values: number[]): number => Math.min(...values);
    expect(oldest(sim.truth.campaigns().map((c) => c.created))).toBeLessThan(NOW - 10 * 365 * DAY);
    expect(oldest(sim.truth.newsletters().map((n) => n.created))).toBeLessThan(NOW - 10 * 365 * DAY);
    expect(oldest(sim.truth.suppressions('bounces').map((s) => s.created))).toBeLessThan(NOW - 600 * DAY);
    expect(oldest(sim.truth.segments().map((s) => s.created_at))).toBeLessThan(NOW - 600 * DAY);
  });
});
