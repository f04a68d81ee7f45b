import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simulator } from '../src/index.js';
import { call, DAY, NOW, start } from './helpers.js';

/** Journey metrics (cohorts) and link metrics (per tracked link, `{"links": null}` when none). */

type Series = Record<string, number[]>;
interface Journey {
  journey_metric: Series;
}
interface LinkRow {
  link: { id: number; href: string };
  metric: { series: { clicked: number[]; human_clicked: number[]; machine_clicked: number[] } };
}
interface Links {
  links: LinkRow[] | null;
}

const CAMPAIGN = 11;
const NY = 'America/New_York';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(async () => {
  await sim.close();
});

describe('journey metrics', () => {
  const path = `/v1/campaigns/${CAMPAIGN}/journey_metrics`;

  test('cohorts: started ≥ activated + never_activated, activated ≥ finished + exited_early, …', async () => {
    const s = NOW - 30 * DAY;
    const r = await call<Journey>(sim, `${path}?start=${s}&end=${NOW}&resolution=days`);
    expect(r.status, r.text).toBe(200);
    const m = r.json.journey_metric;
    expect(Object.keys(m)).toEqual(['started', 'activated', 'exited_early', 'finished', 'converted', 'never_activated', 'messaged']);
    const starts = sim.truth.v2BucketStarts('days', s, NOW);
    expect(starts[0]).toBe(s - (s % DAY)); // aligned down in UTC
    const at = (k: string, i: number): number => m[k]?.[i] ?? NaN;
    starts.forEach((b, i) => {
      expect(at('started', i)).toBeGreaterThanOrEqual(at('activated', i) + at('never_activated', i));
      expect(at('activated', i)).toBeGreaterThanOrEqual(at('finished', i) + at('exited_early', i));
      expect(at('activated', i)).toBeGreaterThanOrEqual(at('messaged', i));
      expect(at('activated', i)).toBeGreaterThanOrEqual(at('converted', i));
      // A cohort older than a week is complete: every journey either activated or never did.
      if (b + DAY <= NOW - 7 * DAY) expect(at('started', i)).toBe(at('activated', i) + at('never_activated', i));
      expect(at('started', i)).toBe(sim.truth.bucketCount('journey', [CAMPAIGN], 'started', 'days', b));
    });
    expect(at('started', 5)).toBeGreaterThan(0);
    expect(sim.truth.metricSeriesNames('journey', [CAMPAIGN])).toEqual(Object.keys(m));
  });

  test('`res` is tolerated for `resolution`; weeks are sums of days', async () => {
    const s = Date.UTC(2025, 8, 7) / 1000; // Sunday
    const e = s + 13 * DAY;
    const a = await call<Journey>(sim, `${path}?start=${s}&end=${e}&resolution=daily`);
    const b = await call<Journey>(sim, `${path}?start=${s}&end=${e}&res=days`);
    expect(b.text).toBe(a.text);
    const weeks = await call<Journey>(sim, `${path}?start=${s}&end=${e}&resolution=weekly`);
    for (const [k, days] of Object.entries(a.json.journey_metric)) {
      expect(weeks.json.journey_metric[k]).toEqual([days.slice(0, 7).reduce((x, y) => x + y, 0), days.slice(7).reduce((x, y) => x + y, 0)]);
    }
  });

  test.each([
    ['end=1760000000&resolution=days', 'start'],
    ['start=1750000000&resolution=days', 'end'],
    ['start=1750000000&end=1760000000', 'resolution'],
    ['start=1760000000&end=1750000000&resolution=days', 'start'],
    ['start=1750000000&end=1760000000&resolution=yearly', 'resolution'],
  ])('%s → 400 naming %s', async (q, name) => {
    const r = await call<{ errors: { detail: string }[] }>(sim, `${path}?${q}`);
    expect(r.status).toBe(400);
    expect(r.json.errors[0]?.detail).toContain(name);
  });

  test('unknown campaign → 404; a draft campaign has all-zero cohorts', async () => {
    expect((await call(sim, `/v1/campaigns/1001/journey_metrics?start=${NOW - DAY}&end=${NOW}&resolution=hours`)).status).toBe(404);
    const draft = sim.truth.campaigns().find((c) => c.state === 'draft');
    const r = await call<Journey>(sim, `/v1/campaigns/${draft?.id}/journey_metrics?start=${NOW - 10 * DAY}&end=${NOW}&resolution=days`);
    for (const values of Object.values(r.json.journey_metric)) expect(values.every((v) => v === 0)).toBe(true);
  });
});

describe('link metrics', () => {
  test("a campaign: its actions' links; per bucket they add up to the campaign's clicks", async () => {
    const r = await call<Links>(sim, `/v1/campaigns/${CAMPAIGN}/metrics/links?period=days&steps=10`);
    expect(r.status, r.text).toBe(200);
    const links = r.json.links ?? [];
    expect(links.map((l) => l.link)).toEqual(sim.truth.metricLinks('campaign', [CAMPAIGN]));
    expect(links.length).toBeGreaterThan(3);
    const m = await call<{ metric: { series: Series } }>(sim, `/v1/campaigns/${CAMPAIGN}/metrics?period=days&steps=10`);
    for (const name of ['clicked', 'human_clicked', 'machine_clicked'] as const) {
      const sum = links.reduce<number[]>((acc, l) => l.metric.series[name].map((v, i) => v + (acc[i] ?? 0)), []);
      expect(sum, name).toEqual(m.json.metric.series[name]);
    }
    for (const l of links) {
      expect(Object.keys(l)).toEqual(['link', 'metric']);
      expect(Number.isInteger(l.link.id)).toBe(true);
      expect(l.link.href).toMatch(/^https:\/\//);
      l.metric.series.clicked.forEach((v, i) => expect(v).toBe((l.metric.series.human_clicked[i] ?? 0) + (l.metric.series.machine_clicked[i] ?? 0)));
    }
    expect(m.json.metric.series.clicked?.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  test('unique=true counts first clicks only: never more than all clicks', async () => {
    const path = `/v1/campaigns/${CAMPAIGN}/metrics/links?period=weeks&steps=0`;
    const all = (await call<Links>(sim, path)).json.links ?? [];
    const unique = (await call<Links>(sim, `${path}&unique=true`)).json.links ?? [];
    expect(unique.map((l) => l.link)).toEqual(all.map((l) => l.link));
    let fewer = 0;
    unique.forEach((u, k) => {
      u.metric.series.clicked.forEach((v, i) => {
        const total = all[k]?.metric.series.clicked[i] ?? 0;
        expect(v).toBeLessThanOrEqual(total);
        if (v < total) fewer++;
      });
    });
    expect(fewer).toBeGreaterThan(0);
    const first = all[0];
    const starts = sim.truth.v1BucketStarts('weeks');
    expect(first?.metric.series.human_clicked.at(-2)).toBe(
      sim.truth.linkBucketCount('campaign', [CAMPAIGN], first?.link.id ?? 0, 'human_clicked', 'weeks', starts.at(-2) ?? 0, NY),
    );
    expect(unique[0]?.metric.series.clicked.at(-2)).toBe(
      sim.truth.linkBucketCount('campaign', [CAMPAIGN], first?.link.id ?? 0, 'clicked', 'weeks', starts.at(-2) ?? 0, NY, true),
    );
    expect((await call(sim, `${path}&unique=perhaps`)).status).toBe(400);
  });

  test('no tracked links → {"links": null}', async () => {
    const empty = sim.truth.campaigns().find((c) => c.actions === null);
    expect((await call(sim, `/v1/campaigns/${empty?.id}/metrics/links`)).text).toBe('{"links":null}');
    const push = sim.truth.campaignActions(CAMPAIGN).find((a) => a.type === 'push');
    expect((await call(sim, `/v1/campaigns/${CAMPAIGN}/actions/${push?.id}/metrics/links`)).text).toBe('{"links":null}');
    const untracked = sim.truth.transactional().find((t) => !t.link_tracking);
    expect((await call(sim, `/v1/transactional/${untracked?.id}/metrics/links`)).text).toBe('{"links":null}');
    // `type` filters the action's channel away.
    const email = sim.truth.campaignActions(CAMPAIGN).find((a) => sim.truth.metricLinks('campaign_action', [CAMPAIGN, Number(a.id)]).length > 0);
    expect((await call(sim, `/v1/campaigns/${CAMPAIGN}/actions/${email?.id}/metrics/links?type=push`)).text).toBe('{"links":null}');
  });

  test('every link endpoint answers the links of its entity, with v1 buckets', async () => {
    const n = sim.truth
      .newsletters()
      .filter((x) => sim.truth.metricLinks('newsletter', [x.id]).length > 0)
      .at(-1);
    const b = sim.truth.broadcasts().find((x) => sim.truth.metricLinks('broadcast', [x.id]).length > 0);
    const t = sim.truth.transactional().find((x) => sim.truth.metricLinks('transactional', [x.id]).length > 0);
    const a = sim.truth.campaignActions(CAMPAIGN).find((x) => sim.truth.metricLinks('campaign_action', [CAMPAIGN, Number(x.id)]).length > 0);
    const cid = n?.content_ids.find((c) => sim.truth.metricLinks('newsletter_variant', [n.id, c]).length > 0) ?? 0;
    const ba = b?.actions?.find((x) => sim.truth.metricLinks('broadcast_action', [b.id, x.id]).length > 0);
    const cases = [
      ['campaign_action', [CAMPAIGN, Number(a?.id)], `/v1/campaigns/${CAMPAIGN}/actions/${a?.id}/metrics/links?type=${a?.type}&unique=true`],
      ['newsletter', [n?.id ?? 0], `/v1/newsletters/${n?.id}/metrics/links?unique=false`],
      ['newsletter_variant', [n?.id ?? 0, cid], `/v1/newsletters/${n?.id}/contents/${cid}/metrics/links?type=${n?.type}`],
      ['broadcast', [b?.id ?? 0], `/v1/broadcasts/${b?.id}/metrics/links?period=months&steps=3`],
      ['broadcast_action', [b?.id ?? 0, ba?.id ?? 0], `/v1/broadcasts/${b?.id}/actions/${ba?.id}/metrics/links?period=hours`],
      ['transactional', [t?.id ?? 0], `/v1/transactional/${t?.id}/metrics/links?period=weeks&steps=1`],
    ] as const;
    for (const [kind, ids, path] of cases) {
      const r = await call<Links>(sim, path);
      expect(r.status, `${path}: ${r.text.slice(0, 200)}`).toBe(200);
      expect(
        r.json.links?.map((l) => l.link),
        path,
      ).toEqual(sim.truth.metricLinks(kind, ids));
      const lengths = new Set(r.json.links?.flatMap((l) => Object.values(l.metric.series).map((s) => s.length)));
      expect(lengths.size).toBe(1);
    }
    expect(new Set((await call<Links>(sim, cases[4][2])).json.links?.map((l) => l.metric.series.clicked.length))).toEqual(new Set([24]));
  });

  test('unknown entities → 404; bad period → 400', async () => {
    for (const path of [
      '/v1/campaigns/999/metrics/links',
      `/v1/campaigns/${CAMPAIGN}/actions/5/metrics/links`,
      '/v1/newsletters/7/metrics/links',
      `/v1/newsletters/${sim.truth.newsletters()[0]?.id}/contents/5000/metrics/links`,
      '/v1/broadcasts/3/metrics/links',
      `/v1/broadcasts/${sim.truth.broadcasts()[0]?.id}/actions/abc/metrics/links`,
      '/v1/transactional/0/metrics/links',
    ]) {
      expect((await call(sim, path)).status, path).toBe(404);
    }
    expect((await call(sim, `/v1/campaigns/${CAMPAIGN}/metrics/links?period=days&steps=50`)).status).toBe(400);
  });
});
