import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simulator } from '../src/index.js';
import { call, DAY, NOW, routeErrorStatus, start } from './helpers.js';

/**
 * v1 metrics (`period`, `steps`): campaign and action (version omitted or 1), newsletters,
 * variants, broadcasts, broadcast actions, transactional. NOW is 2025-10-09T08:53:20Z, i.e.
 * 04:53 EDT on Thursday 2025-10-09.
 */

type Series = Record<string, number[]>;
interface V1 {
  metric: { series: Series; type?: string };
  language_variants?: Record<string, unknown>;
}

const HOUR = 3600;
const NY = 'America/New_York';
const CAMPAIGN = 11;
/** An email action of CAMPAIGN with tracked links, so every checked series exists. */
let ACTION = 0;

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
  const tracked = sim.truth
    .campaignActions(CAMPAIGN)
    .find((a) => a.type === 'email' && sim.truth.metricLinks('campaign_action', [CAMPAIGN, Number(a.id)]).length > 0);
  ACTION = Number(tracked?.id);
});
afterAll(async () => {
  await sim.close();
});

const utc = (y: number, mo: number, d: number, h = 0): number => Date.UTC(y, mo - 1, d, h) / 1000;

function buckets(body: V1): number {
  const n = new Set(Object.values(body.metric.series).map((a) => a.length));
  expect(n.size).toBe(1);
  return [...n][0] ?? 0;
}

describe('v1 buckets: anchored in US Eastern time, the last one holds the clock', () => {
  test.each([
    // period, steps, buckets, first bucket start, last bucket start (UTC instants of local midnights)
    ['hours', '0', 24, utc(2025, 10, 8, 9), utc(2025, 10, 9, 8)],
    ['hours', '1', 2, utc(2025, 10, 9, 7), utc(2025, 10, 9, 8)],
    ['days', undefined, 45, utc(2025, 8, 26, 4), utc(2025, 10, 9, 4)],
    ['days', '45', 45, utc(2025, 8, 26, 4), utc(2025, 10, 9, 4)],
    ['days', '3', 3, utc(2025, 10, 7, 4), utc(2025, 10, 9, 4)],
    ['weeks', '0', 12, utc(2025, 7, 20, 4), utc(2025, 10, 5, 4)],
    ['weeks', '1', 2, utc(2025, 9, 28, 4), utc(2025, 10, 5, 4)],
    ['months', undefined, 12, utc(2024, 11, 1, 4), utc(2025, 10, 1, 4)],
    ['months', '0', 121, utc(2015, 10, 1, 4), utc(2025, 10, 1, 4)],
    ['months', '121', 121, utc(2015, 10, 1, 4), utc(2025, 10, 1, 4)],
  ] as const)('period=%s steps=%s → %i buckets', async (period, steps, n, first, last) => {
    const q = `period=${period}${steps === undefined ? '' : `&steps=${steps}`}`;
    const r = await call<V1>(sim, `/v1/campaigns/${CAMPAIGN}/actions/${ACTION}/metrics?${q}`);
    expect(r.status, r.text).toBe(200);
    // v1 carries no window and no language variants.
    expect(Object.keys(r.json)).toEqual(['metric']);
    expect(buckets(r.json)).toBe(n);
    const starts = sim.truth.v1BucketStarts(period, steps === undefined ? undefined : Number(steps));
    expect(starts.length).toBe(n);
    expect(starts[0]).toBe(first);
    expect(starts[n - 1]).toBe(last);
    expect(starts[n - 1]).toBeLessThanOrEqual(NOW);
    // Each value is the truth of its New York bucket (checked on a few series and buckets).
    const res = period;
    for (const i of [0, Math.floor(n / 2), n - 2, n - 1]) {
      for (const name of ['attempted', 'delivered', 'clicked']) {
        expect(r.json.metric.series[name]?.[i], `${name}[${i}]`).toBe(
          sim.truth.bucketCount('campaign_action', [CAMPAIGN, ACTION], name, res, starts[i] ?? 0, NY),
        );
      }
    }
  });

  test('period defaults to days; v1 and version=1 are the same; v1 days = v2 days in New York', async () => {
    const path = `/v1/campaigns/${CAMPAIGN}/metrics`;
    const plain = await call<V1>(sim, path);
    expect(buckets(plain.json)).toBe(45);
    // "The current period" is the server's: its Date header carries the workspace clock.
    expect(Date.parse(plain.headers.get('date') ?? '') / 1000).toBe(NOW);
    expect((await call(sim, `${path}?version=1&period=days`)).text).toBe(plain.text);
    const starts = sim.truth.v1BucketStarts('days');
    const v2 = await call<{ metric: { series: Series } }>(sim, `${path}?version=2&res=days&tz=${NY}&start=${starts[0]}&end=${NOW}`);
    expect(v2.json.metric.series).toEqual(plain.json.metric.series);
  });

  test('a day that loses an hour to DST is 23 hours (clock in March)', async () => {
    const march = await start({ now: utc(2025, 3, 12, 15) });
    try {
      const r = await call<V1>(march, `/v1/campaigns/${CAMPAIGN}/actions/${ACTION}/metrics?period=days&steps=5`);
      const starts = march.truth.v1BucketStarts('days', 5);
      expect(starts).toEqual([utc(2025, 3, 8, 5), utc(2025, 3, 9, 5), utc(2025, 3, 10, 4), utc(2025, 3, 11, 4), utc(2025, 3, 12, 4)]);
      let hours = 0;
      for (let h = utc(2025, 3, 9, 5); h < utc(2025, 3, 10, 4); h += HOUR) hours += march.truth.hourlyCount('campaign_action', [CAMPAIGN, ACTION], 'sent', h);
      expect(r.json.metric.series.sent?.[1]).toBe(hours);
      expect(hours).toBeGreaterThan(0);
    } finally {
      await march.close();
    }
  });

  test.each([
    ['period=hours&steps=25', 'steps'],
    ['period=days&steps=46', 'steps'],
    ['period=weeks&steps=13', 'steps'],
    ['period=months&steps=122', 'steps'],
    ['steps=-1', 'steps'],
    ['steps=2.5', 'steps'],
    ['period=years', 'period'],
    ['type=carrier_pigeon', 'type'],
    ['version=v2', 'version'],
  ])('%s → 400 naming %s', async (q, name) => {
    const r = await call<{ errors: { detail: string; status: string }[] }>(sim, `/v1/campaigns/${CAMPAIGN}/metrics?${q}`);
    expect(r.status).toBe(400);
    expect(r.json.errors[0]?.detail).toContain(name);
  });
});

describe('v1 type filter and series per channel', () => {
  test('type keeps the actions of one channel, whose series it reports', async () => {
    const actions = sim.truth.campaignActions(CAMPAIGN);
    const webhooks = actions.filter((a) => a.type === 'webhook');
    expect(webhooks.length).toBeGreaterThan(0);
    const r = await call<V1>(sim, `/v1/campaigns/${CAMPAIGN}/metrics?period=days&steps=4&type=webhook`);
    expect(Object.keys(r.json.metric.series)).toEqual(['attempted', 'failed', 'sent']);
    const starts = sim.truth.v1BucketStarts('days', 4);
    starts.forEach((b, i) => {
      const sum = webhooks.reduce((acc, a) => acc + sim.truth.bucketCount('campaign_action', [CAMPAIGN, Number(a.id)], 'sent', 'days', b, NY), 0);
      expect(r.json.metric.series.sent?.[i]).toBe(sum);
    });
    const none = await call<V1>(sim, `/v1/campaigns/${CAMPAIGN}/metrics?type=live_notification`);
    expect(none.json.metric.series).toEqual({});
  });

  test('series names: the spec 26 plus prefetch_clicked, by channel', async () => {
    const known = new Set([
      'attempted',
      'bounced',
      'clicked',
      'converted',
      'created',
      'deferred',
      'delivered',
      'drafted',
      'failed',
      'human_clicked',
      'human_opened',
      'link_untracked',
      'machine_clicked',
      'open_untracked',
      'opened',
      'prefetch_opened',
      'replied',
      'sent',
      'spammed',
      'suppressed',
      'topic_unsubscribed',
      'tracking_consent_denied',
      'tracking_consent_granted',
      'undeliverable',
      'unsubscribed',
      'untracked',
      'prefetch_clicked',
    ]);
    let withPrefetch = 0;
    let emailWithout = 0;
    for (const a of sim.truth.campaignActions(CAMPAIGN)) {
      const names = sim.truth.metricSeriesNames('campaign_action', [CAMPAIGN, Number(a.id)]);
      for (const n of names) expect(known.has(n), n).toBe(true);
      if (a.type === 'webhook') expect(names).toEqual(['attempted', 'failed', 'sent']);
      if (a.type === 'push') expect(names).not.toContain('clicked');
      if (a.type === 'email') {
        expect(names).toContain('human_opened');
        if (names.includes('prefetch_clicked')) withPrefetch++;
        else emailWithout++;
      }
    }
    // A few entities carry a series outside the 26 so clients must keep unknown series.
    expect(withPrefetch).toBeGreaterThan(0);
    expect(emailWithout).toBeGreaterThan(withPrefetch);
  });
});

describe('newsletter, broadcast and transactional metrics (v1 only)', () => {
  test('newsletters add metric.type; a newsletter is the sum of its variants', async () => {
    const sent = sim.truth.newsletters().filter((n) => n.sent_at !== null && n.sent_at > NOW - 40 * DAY);
    const n = sent.find((x) => x.content_ids.length > 1) ?? sent[0];
    expect(n).toBeDefined();
    if (n === undefined) return;
    const total = await call<V1>(sim, `/v1/newsletters/${n.id}/metrics?period=days&steps=45`);
    expect(total.status).toBe(200);
    expect(total.json.metric.type).toBe(n.type);
    expect(Object.keys(total.json.metric)).toEqual(['series', 'type']);
    const sum: Series = {};
    for (const cid of n.content_ids) {
      const v = await call<V1>(sim, `/v1/newsletters/${n.id}/contents/${cid}/metrics?period=days&steps=45`);
      expect(v.json.metric.type).toBe(n.type);
      for (const [name, values] of Object.entries(v.json.metric.series)) sum[name] = values.map((x, i) => x + (sum[name]?.[i] ?? 0));
    }
    expect(total.json.metric.series).toEqual(sum);
    expect((total.json.metric.series.attempted ?? []).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // The send is one burst: nothing before sent_at.
    const starts = sim.truth.v1BucketStarts('days', 45);
    starts.forEach((b, i) => {
      if (b + DAY <= (n.sent_at ?? 0)) expect(total.json.metric.series.attempted?.[i]).toBe(0);
    });
    const draft = sim.truth.newsletters().find((x) => x.sent_at === null);
    const d = await call<V1>(sim, `/v1/newsletters/${draft?.id}/metrics`);
    for (const values of Object.values(d.json.metric.series)) expect(values.every((x) => x === 0)).toBe(true);
  });

  test('broadcasts sum their actions; broadcast actions add language_variants', async () => {
    const deleted = sim.truth.deletedParents().broadcasts;
    const b = sim.truth.broadcasts().find((x) => x.state === 'running' && (x.actions?.length ?? 0) > 1 && !deleted.includes(x.id));
    expect(b).toBeDefined();
    if (b === undefined) return;
    const total = await call<V1>(sim, `/v1/broadcasts/${b.id}/metrics?period=weeks&steps=0`);
    expect(Object.keys(total.json)).toEqual(['metric']);
    const sum: Series = {};
    for (const a of b.actions ?? []) {
      const r = await call<V1>(sim, `/v1/broadcasts/${b.id}/actions/${a.id}/metrics?period=weeks&steps=0`);
      expect(r.status, r.text).toBe(200);
      expect(r.json.language_variants).toEqual({});
      for (const [name, values] of Object.entries(r.json.metric.series)) sum[name] = values.map((x, i) => x + (sum[name]?.[i] ?? 0));
    }
    expect(total.json.metric.series).toEqual(sum);
    const sms = await call<V1>(sim, `/v1/broadcasts/${b.id}/metrics?period=weeks&steps=0&type=twilio`);
    const smsActions = (b.actions ?? []).filter((a) => a.type === 'sms');
    expect(Object.keys(sms.json.metric.series).length > 0).toBe(smsActions.length > 0);
  });

  test('transactional: period and steps; values are the truth', async () => {
    const t = sim.truth.transactional()[0];
    const r = await call<V1>(sim, `/v1/transactional/${t?.id}/metrics?period=weeks&steps=3`);
    expect(r.status).toBe(200);
    expect(buckets(r.json)).toBe(3);
    const starts = sim.truth.v1BucketStarts('weeks', 3);
    expect(r.json.metric.series.delivered).toEqual(starts.map((s) => sim.truth.bucketCount('transactional', [t?.id ?? 0], 'delivered', 'weeks', s, NY)));
    // Open tracking off: no opens.
    if (t?.open_tracking === false) expect(r.json.metric.series.opened?.every((x) => x === 0)).toBe(true);
  });

  test('unknown ids → 404; bad params → 400', async () => {
    const n = sim.truth.newsletters()[0];
    const b = sim.truth.broadcasts()[1];
    for (const path of [
      '/v1/newsletters/1/metrics',
      `/v1/newsletters/${n?.id}/contents/99999/metrics`,
      '/v1/broadcasts/9999/metrics',
      `/v1/broadcasts/${b?.id}/actions/1/metrics`,
      '/v1/transactional/9999/metrics',
    ]) {
      const r = await call<{ errors: { status: string | number }[] }>(sim, path);
      expect(r.status, path).toBe(404);
      expect(r.json.errors[0]?.status).toBe(routeErrorStatus(path, 404));
    }
    expect((await call(sim, `/v1/newsletters/${n?.id}/metrics?type=slack`)).status).toBe(400);
    expect((await call(sim, `/v1/broadcasts/${b?.id}/metrics?steps=99`)).status).toBe(400);
    expect((await call(sim, '/v1/transactional/1/metrics?period=fortnights')).status).toBe(400);
  });
});
