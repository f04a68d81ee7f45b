import { describe, expect, test } from 'vitest';
import type { Simulator, SimulatorOptions } from '../src/index.js';
import { call, DAY, NOW, start } from './helpers.js';

/** Metrics over time: growth after advance(), funnel order at every clock, determinism. */

type Series = Record<string, number[]>;
interface V2 {
  metric: { series: Series };
}

const HOUR = 3600;
const CAMPAIGN = 11;

async function v2Days(sim: Simulator, path: string, s: number, e: number): Promise<Series> {
  const r = await call<V2>(sim, `${path}?version=2&res=days&start=${s}&end=${e}`);
  expect(r.status, r.text).toBe(200);
  return r.json.metric.series;
}

/**
 * The funnel, bucket by bucket. Sums over channels only keep what every channel keeps (in-app
 * has no `delivered`, push no human/prefetch split), so `exact` marks a single email entity, where
 * opened ≤ delivered and the opened partition hold too.
 */
function expectFunnel(series: Series, label: string, exact = false): void {
  const at = (name: string, i: number): number | undefined => series[name]?.[i];
  const n = series.attempted?.length ?? 0;
  const le = (a: string, b: string, i: number, extra = 0): void => {
    const x = at(a, i);
    const y = at(b, i);
    if (x !== undefined && y !== undefined) expect(x + extra, `${label}: ${a} ≤ ${b} [${i}]`).toBeLessThanOrEqual(y);
  };
  for (let i = 0; i < n; i++) {
    le('sent', 'attempted', i);
    le('delivered', 'sent', i);
    le('bounced', 'sent', i);
    le('opened', 'sent', i);
    le('clicked', 'sent', i);
    le('converted', 'sent', i);
    le('human_opened', 'opened', i);
    le('human_clicked', 'clicked', i);
    le('prefetch_clicked', 'machine_clicked', i);
    le('topic_unsubscribed', 'unsubscribed', i);
    le('human_opened', 'opened', i, at('prefetch_opened', i) ?? 0);
    if (at('machine_clicked', i) !== undefined) expect(at('clicked', i)).toBe((at('human_clicked', i) ?? 0) + (at('machine_clicked', i) ?? 0));
    if (exact) {
      le('opened', 'delivered', i);
      le('clicked', 'delivered', i);
      expect(at('opened', i)).toBe((at('human_opened', i) ?? 0) + (at('prefetch_opened', i) ?? 0));
    }
  }
}

describe('advance()', () => {
  test('recent buckets grow, buckets older than a week stay, new hours start counting', async () => {
    const sim = await start();
    try {
      const s = NOW - (NOW % DAY) - 20 * DAY;
      const e = NOW + 3 * DAY;
      const path = `/v1/campaigns/${CAMPAIGN}/metrics`;
      const before = await v2Days(sim, path, s, e);
      expectFunnel(before, 'before');
      sim.advance(2 * DAY);
      const after = await v2Days(sim, path, s, e);
      expectFunnel(after, 'after');
      const days = before.attempted?.length ?? 0;
      expect(days).toBe(24);
      let grew = 0;
      for (let i = 0; i < days; i++) {
        const bucketEnd = s + (i + 1) * DAY;
        for (const [name, values] of Object.entries(before)) {
          const b = values[i] ?? 0;
          const a = after[name]?.[i] ?? 0;
          if (bucketEnd <= NOW - 7 * DAY) expect(a, `${name}[${i}] is final`).toBe(b);
          else expect(a, `${name}[${i}] only grows`).toBeGreaterThanOrEqual(b);
          if (a > b) grew++;
        }
        // Hours after the old clock were 0 and now count.
        if (s + i * DAY >= NOW) expect(before.attempted?.[i]).toBe(0);
      }
      expect(grew).toBeGreaterThan(10);
      const today = Math.floor((NOW - s) / DAY);
      expect(after.attempted?.[today + 1] ?? 0).toBeGreaterThan(0);
      expect(after.attempted?.[today + 2] ?? 0).toBeGreaterThan(0);
      expect(after.attempted?.[today + 3]).toBe(0); // still in the future
      // The truth moves with the clock too.
      expect(sim.truth.bucketCount('campaign', [CAMPAIGN], 'opened', 'days', s + (today - 1) * DAY)).toBe(after.opened?.[today - 1]);
    } finally {
      await sim.close();
    }
  });

  test('hour by hour: counts only ever grow and are final after 7 days', async () => {
    const sim = await start();
    try {
      const ids = [CAMPAIGN, 1120];
      const hours = Array.from({ length: 12 }, (_, i) => NOW - (NOW % HOUR) - (i + 1) * 5 * HOUR);
      const read = (): number[] => hours.map((h) => sim.truth.hourlyCount('campaign_action', ids, 'opened', h));
      const first = read();
      let previous = first;
      for (let step = 0; step < 8; step++) {
        sim.advance(DAY);
        const now = read();
        now.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(previous[i] ?? 0));
        previous = now;
      }
      // Past 7 days every hour is final: one more day changes nothing.
      sim.advance(DAY);
      expect(read()).toEqual(previous);
      expect(previous.reduce((a, b) => a + b, 0)).toBeGreaterThan(first.reduce((a, b) => a + b, 0));
    } finally {
      await sim.close();
    }
  });

  test('a broadcast triggered just before the clock shows its send once the clock passes it', async () => {
    const sim = await start();
    try {
      const b = sim.truth.broadcasts().find((x) => sim.truth.broadcastTriggers(x.id).some((t) => t.created_at > NOW - HOUR));
      expect(b).toBeDefined();
      const path = `/v1/broadcasts/${b?.id}/metrics?period=hours&steps=0`;
      const before = (await call<V2>(sim, path)).json.metric.series.attempted ?? [];
      expect(before.at(-1)).toBe(0);
      // Like every count, the send grows over a week; a day in, part of it shows.
      sim.advance(DAY);
      const after = (await call<V2>(sim, path)).json.metric.series.attempted ?? [];
      expect(after.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });
});

describe('funnel order', () => {
  test('holds for every entity kind over old and recent buckets', async () => {
    const sim = await start();
    try {
      const s = NOW - 60 * DAY;
      for (const c of sim.truth
        .campaigns()
        .filter((x) => x.state === 'running')
        .slice(0, 2)) {
        expectFunnel(await v2Days(sim, `/v1/campaigns/${c.id}/metrics`, s, NOW), `campaign ${c.id}`);
      }
      const n = sim.truth
        .newsletters()
        .filter((x) => x.sent_at !== null)
        .at(-1);
      expectFunnel((await call<V2>(sim, `/v1/newsletters/${n?.id}/metrics?period=hours&steps=0`)).json.metric.series, 'newsletter');
      const b = sim.truth.broadcasts()[2];
      expectFunnel((await call<V2>(sim, `/v1/broadcasts/${b?.id}/metrics?period=months&steps=0`)).json.metric.series, 'broadcast');
      const email = sim.truth.campaignActions(CAMPAIGN).find((a) => a.type === 'email');
      expectFunnel(await v2Days(sim, `/v1/campaigns/${CAMPAIGN}/actions/${email?.id}/metrics`, s, NOW), 'email action', true);
      for (const t of sim.truth.transactional()) {
        expectFunnel((await call<V2>(sim, `/v1/transactional/${t.id}/metrics`)).json.metric.series, `transactional ${t.id}`, true);
      }
    } finally {
      await sim.close();
    }
  });
});

describe('determinism', () => {
  const paths = [
    `/v1/campaigns/${CAMPAIGN}/metrics`,
    `/v1/campaigns/${CAMPAIGN}/actions/1113/metrics?version=2&res=weeks&start=${NOW - 90 * DAY}&end=${NOW}&tz=Europe/Berlin`,
    `/v1/campaigns/${CAMPAIGN}/journey_metrics?start=${NOW - 30 * DAY}&end=${NOW}&resolution=days`,
    `/v1/campaigns/${CAMPAIGN}/metrics/links?period=weeks`,
    '/v1/broadcasts/6/metrics?period=months&steps=6',
    '/v1/transactional/2/metrics/links',
  ];

  async function bodies(opts: SimulatorOptions): Promise<string[]> {
    const sim = await start(opts);
    try {
      const out: string[] = [];
      for (const p of paths) out.push((await call(sim, p)).text);
      // Asking twice at the same clock gives the same answer.
      expect((await call(sim, paths[0] ?? '')).text).toBe(out[0]);
      return out;
    } finally {
      await sim.close();
    }
  }

  test('same seed → byte-identical metrics; another seed → other counts', async () => {
    const a = await bodies({ seed: 7 });
    expect(await bodies({ seed: 7 })).toEqual(a);
    const c = await bodies({ seed: 8 });
    expect(c[0]).not.toEqual(a[0]);
    for (const body of a.slice(0, 5)) expect(body.length).toBeGreaterThan(20);
  });
});
