import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simulator } from '../src/index.js';
import { call, DAY, NOW, start } from './helpers.js';

/**
 * The roll-up a client may compute metrics by (issue 21): over HTTP, in every bucket of every
 * series, v1 (every period at its longest) and v2 (every resolution, UTC and New York),
 * - a campaign is the sum of its actions (each action all its languages), also with `type`;
 * - a broadcast is the sum of its actions, a newsletter the sum of its variants;
 * - link metrics (unique=false) add up to the entity's clicked, human_clicked, machine_clicked
 *   exactly; unique=true counts are never more;
 * and that holds at every clock, while recent buckets keep growing.
 */

type Series = Record<string, number[]>;
interface Metric {
  metric: { series: Series };
  language_variants?: Record<string, { metric: { series: Series } }>;
}
interface Links {
  links: { link: { id: number; href: string }; metric: { series: { clicked: number[]; human_clicked: number[]; machine_clicked: number[] } } }[] | null;
}

const V1 = [
  ['hours', 0],
  ['days', 0],
  ['weeks', 0],
  ['months', 0],
] as const;

function add(sum: Series, part: Series): Series {
  const out: Series = { ...sum };
  for (const [name, values] of Object.entries(part)) out[name] = values.map((v, i) => v + (out[name]?.[i] ?? 0));
  return out;
}

async function series(sim: Simulator, path: string): Promise<Series> {
  const r = await call<Metric>(sim, path);
  expect(r.status, `${path}: ${r.text.slice(0, 200)}`).toBe(200);
  return r.json.metric.series;
}

/** Campaigns whose metrics are served (not the one deleted mid-sync), with their action ids. */
function campaigns(sim: Simulator): { id: number; actions: string[] }[] {
  const gone = sim.truth.deletedParents().campaigns;
  return sim.truth
    .campaigns()
    .filter((c) => !gone.includes(c.id))
    .map((c) => ({ id: c.id, actions: sim.truth.campaignActions(c.id).map((a) => String(a.id)) }));
}

/** v2 windows ending at the clock: hours over 3 days, days over 60, weeks over a year, months over 4 years. */
function v2Windows(now: number): [string, number, number][] {
  return [
    ['hours', now - 3 * DAY, now],
    ['days', now - 60 * DAY, now],
    ['weeks', now - 365 * DAY, now],
    ['months', now - 4 * 365 * DAY, now],
  ];
}

async function expectCampaignRollUp(sim: Simulator, query: string): Promise<number> {
  let nonZero = 0;
  for (const c of campaigns(sim)) {
    const total = await series(sim, `/v1/campaigns/${c.id}/metrics?${query}`);
    let sum: Series = {};
    for (const a of c.actions) sum = add(sum, await series(sim, `/v1/campaigns/${c.id}/actions/${a}/metrics?${query}`));
    expect(total, `campaign ${c.id} ${query}`).toEqual(sum);
    nonZero += Object.values(total)
      .flat()
      .filter((v) => v > 0).length;
  }
  return nonZero;
}

describe('roll-up at the initial clock', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());

  test.each(V1)('v1 period=%s steps=%i: every campaign is the sum of its actions', async (period, steps) => {
    expect(await expectCampaignRollUp(sim, `period=${period}&steps=${steps}`)).toBeGreaterThan(0);
  });

  test.each(['UTC', 'America/New_York'])('v2 in %s, every resolution: every campaign is the sum of its actions', async (tz) => {
    for (const [res, start, end] of v2Windows(NOW)) {
      expect(await expectCampaignRollUp(sim, `version=2&res=${res}&start=${start}&end=${end}&tz=${encodeURIComponent(tz)}`)).toBeGreaterThan(0);
    }
  });

  test('with type, a campaign is the sum of its actions of that channel', async () => {
    for (const type of ['email', 'push', 'twilio', 'webhook', 'in_app']) {
      for (const c of campaigns(sim)) {
        const total = await series(sim, `/v1/campaigns/${c.id}/metrics?period=weeks&steps=0&type=${type}`);
        let sum: Series = {};
        for (const a of sim.truth.campaignActions(c.id).filter((x) => x.type === type)) {
          sum = add(sum, await series(sim, `/v1/campaigns/${c.id}/actions/${a.id}/metrics?period=weeks&steps=0`));
        }
        expect(total, `campaign ${c.id} type=${type}`).toEqual(sum);
      }
    }
  });

  test.each(V1)('v1 period=%s steps=%i: every broadcast is the sum of its actions, every newsletter of its variants', async (period, steps) => {
    const q = `period=${period}&steps=${steps}`;
    const deleted = sim.truth.deletedParents();
    for (const b of sim.truth.broadcasts().filter((x) => !deleted.broadcasts.includes(x.id))) {
      let sum: Series = {};
      for (const a of sim.truth.broadcastActions(b.id)) sum = add(sum, await series(sim, `/v1/broadcasts/${b.id}/actions/${a.id}/metrics?${q}`));
      expect(await series(sim, `/v1/broadcasts/${b.id}/metrics?${q}`), `broadcast ${b.id}`).toEqual(sum);
    }
    // Newsletters sent in the last four months (older sends are zero in short windows).
    for (const n of sim.truth.newsletters().filter((x) => !deleted.newsletters.includes(x.id) && (x.sent_at ?? 0) > NOW - 120 * DAY)) {
      let sum: Series = {};
      for (const cid of n.content_ids) sum = add(sum, await series(sim, `/v1/newsletters/${n.id}/contents/${cid}/metrics?${q}`));
      expect(await series(sim, `/v1/newsletters/${n.id}/metrics?${q}`), `newsletter ${n.id}`).toEqual(sum);
    }
  });

  test.each(V1)("v1 period=%s steps=%i: links add up to the entity's clicks exactly; unique=true never more", async (period, steps) => {
    const q = `period=${period}&steps=${steps}`;
    const deleted = sim.truth.deletedParents();
    const paths: string[] = [];
    for (const c of campaigns(sim)) {
      paths.push(`/v1/campaigns/${c.id}`);
      for (const a of c.actions) paths.push(`/v1/campaigns/${c.id}/actions/${a}`);
    }
    for (const b of sim.truth.broadcasts().filter((x) => !deleted.broadcasts.includes(x.id))) {
      paths.push(`/v1/broadcasts/${b.id}`);
      for (const a of sim.truth.broadcastActions(b.id)) paths.push(`/v1/broadcasts/${b.id}/actions/${a.id}`);
    }
    for (const n of sim.truth
      .newsletters()
      .filter((x) => !deleted.newsletters.includes(x.id))
      .slice(-6)) {
      paths.push(`/v1/newsletters/${n.id}`);
      for (const cid of n.content_ids) paths.push(`/v1/newsletters/${n.id}/contents/${cid}`);
    }
    for (const t of sim.truth.transactional()) paths.push(`/v1/transactional/${t.id}`);
    let clicks = 0;
    for (const base of paths) {
      const entity = await series(sim, `${base}/metrics?${q}`);
      const links = (await call<Links>(sim, `${base}/metrics/links?${q}`)).json.links ?? [];
      const unique =
        base.includes('/contents/') || /\/actions\//.test(base) ? [] : ((await call<Links>(sim, `${base}/metrics/links?${q}&unique=true`)).json.links ?? []);
      for (const name of ['clicked', 'human_clicked', 'machine_clicked'] as const) {
        const sum = links.reduce<number[]>((acc, l) => l.metric.series[name].map((v, i) => v + (acc[i] ?? 0)), []);
        // An entity without tracked links has no clicks at all (and, for some channels, no click series).
        if (links.length === 0)
          expect(
            (entity[name] ?? []).every((v) => v === 0),
            `${base} ${name}`,
          ).toBe(true);
        else expect(sum, `${base} ${name}`).toEqual(entity[name]);
      }
      unique.forEach((u, k) => u.metric.series.clicked.forEach((v, i) => expect(v).toBeLessThanOrEqual(links[k]?.metric.series.clicked[i] ?? 0)));
      clicks += (entity.clicked ?? []).reduce((a, b) => a + b, 0);
    }
    expect(clicks).toBeGreaterThan(0);
  });
});

describe('roll-up as the clock moves', () => {
  test('after advance(), recent buckets grew and every campaign, broadcast and link list still adds up', async () => {
    const sim = await start();
    try {
      const q = 'period=days&steps=10';
      const before = new Map<number, Series>();
      for (const c of campaigns(sim)) before.set(c.id, await series(sim, `/v1/campaigns/${c.id}/metrics?${q}`));
      sim.advance(2 * DAY + 5 * 3600);
      await expectCampaignRollUp(sim, q);
      await expectCampaignRollUp(sim, `version=2&res=hours&start=${sim.now() - 2 * DAY}&end=${sim.now()}`);
      let grew = 0;
      for (const c of campaigns(sim)) {
        const now = await series(sim, `/v1/campaigns/${c.id}/metrics?period=days&steps=12`);
        const old = before.get(c.id) ?? {};
        // The same days, two positions earlier in the newer answer (the window moved two days).
        for (const [name, values] of Object.entries(old)) {
          values.forEach((v, i) => {
            const later = now[name]?.[i] ?? 0;
            expect(later, `${c.id} ${name}[${i}]`).toBeGreaterThanOrEqual(v);
            if (later > v) grew++;
          });
        }
      }
      expect(grew).toBeGreaterThan(0);
      for (const c of campaigns(sim)) {
        const links = (await call<Links>(sim, `/v1/campaigns/${c.id}/metrics/links?${q}`)).json.links ?? [];
        const own = await series(sim, `/v1/campaigns/${c.id}/metrics?${q}`);
        const sum = links.reduce<number[]>((acc, l) => l.metric.series.clicked.map((v, i) => v + (acc[i] ?? 0)), []);
        if (links.length > 0) expect(sum, `campaign ${c.id}`).toEqual(own.clicked);
      }
      for (const b of sim.truth.broadcasts().filter((x) => !sim.truth.deletedParents().broadcasts.includes(x.id))) {
        let sum: Series = {};
        for (const a of sim.truth.broadcastActions(b.id)) sum = add(sum, await series(sim, `/v1/broadcasts/${b.id}/actions/${a.id}/metrics?period=hours`));
        expect(await series(sim, `/v1/broadcasts/${b.id}/metrics?period=hours`)).toEqual(sum);
      }
    } finally {
      await sim.close();
    }
  });

  test('a deleted action keeps counting in its campaign: the campaign is then more than its listed actions', async () => {
    const sim = await start();
    try {
      const c = campaigns(sim).find((x) => x.actions.length >= 3) as { id: number; actions: string[] };
      const q = 'period=weeks&steps=0';
      const victim = c.actions[1] as string;
      const gone = await series(sim, `/v1/campaigns/${c.id}/actions/${victim}/metrics?${q}`);
      const total = await series(sim, `/v1/campaigns/${c.id}/metrics?${q}`);
      sim.deleteEntities([{ kind: 'campaign_action', id: victim, parent: c.id }]);
      expect((await call(sim, `/v1/campaigns/${c.id}/actions/${victim}/metrics?${q}`)).status).toBe(404);
      let listed: Series = {};
      for (const a of sim.truth.campaignActions(c.id)) listed = add(listed, await series(sim, `/v1/campaigns/${c.id}/actions/${a.id}/metrics?${q}`));
      expect(await series(sim, `/v1/campaigns/${c.id}/metrics?${q}`)).toEqual(total);
      expect(add(listed, gone)).toEqual(total);
    } finally {
      await sim.close();
    }
  });
});
