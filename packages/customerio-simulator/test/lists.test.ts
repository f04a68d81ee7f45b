import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  actionIdAsInteger,
  workspaceIdAsString,
  type ActionRecord,
  type CampaignRecord,
  type IdentifiersEntry,
  type NewsletterRecord,
  type SegmentRecord,
  type Simulator,
} from '../src/index.js';
import { call, expectNoDuplicates, list, routeError, SMALL, SMALL_MESSAGES, start, walk } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

describe('GET /v1/workspaces', () => {
  test('one workspace with the billing-period counts', async () => {
    const res = await call<{ workspaces: Record<string, unknown>[] }>(sim, '/v1/workspaces');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json.workspaces).toEqual(sim.truth.workspaces());
    expect(Object.keys(res.json.workspaces[0] ?? {})).toEqual(['id', 'name', 'messages_sent', 'billable_messages_sent', 'people', 'object_types', 'objects']);
    // 18 months of deliveries at the small scale's yearly rate.
    expect(sim.truth.counts()).toMatchObject({
      campaigns: SMALL.campaigns,
      newsletters: SMALL.newsletters,
      segments: SMALL.segments,
      people: SMALL.people,
      messages: SMALL_MESSAGES,
    });
    expect(typeof res.json.workspaces[0]?.id).toBe(workspaceIdAsString(1) ? 'string' : 'number');
  });
});

describe('campaigns and their actions', () => {
  test('GET /v1/campaigns is one unpaged call equal to the truth', async () => {
    const res = await call<{ campaigns: CampaignRecord[] }>(sim, '/v1/campaigns');
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['campaigns']);
    expect(res.json.campaigns).toEqual(sim.truth.campaigns());
    expect(res.json.campaigns).toHaveLength(SMALL.campaigns);
    expectNoDuplicates(res.json.campaigns.map((c) => c.id));
  });

  test('a campaign without actions has actions: null, and its actions list is null with next ""', async () => {
    const empty = sim.truth.campaigns().find((c) => c.actions === null);
    expect(empty).toBeDefined();
    const res = await call(sim, `/v1/campaigns/${empty?.id}/actions`);
    expect(res.json).toEqual({ actions: null, next: '' });
  });

  test('every campaign: 10 actions per page, string or integer ids, pages end with next "" and match the truth', async () => {
    const sizes: number[] = [];
    const deleted = sim.truth.deletedParents().campaigns;
    for (const c of sim.truth.campaigns()) {
      if (deleted.includes(c.id)) continue;
      const w = await walk<ActionRecord>(sim, `/v1/campaigns/${c.id}/actions`, list('actions'));
      const expected = sim.truth.campaignActions(c.id);
      expect(w.records).toEqual(expected);
      expect(w.pages).toBe(Math.max(1, Math.ceil(expected.length / 10)));
      for (const a of w.records) expect(typeof a.id).toBe(actionIdAsInteger(1, Number(a.id)) ? 'number' : 'string');
      expect(c.actions?.map((r) => String(r.id)) ?? []).toEqual(expected.map((a) => String(a.id)));
      sizes.push(expected.length);
    }
    // The edge cases the brief asks for: 0 actions, exactly one full page, several pages.
    expect(sizes).toContain(0);
    expect(sizes).toContain(10);
    expect(Math.max(...sizes)).toBeGreaterThan(30);
  });

  test('a campaign with exactly 10 actions is one page with next ""', async () => {
    const ten = sim.truth.campaigns().find((c) => c.actions?.length === 10);
    const res = await call<{ actions: ActionRecord[]; next: string }>(sim, `/v1/campaigns/${ten?.id}/actions`);
    expect(res.json.actions).toHaveLength(10);
    expect(res.json.next).toBe('');
  });

  test('unknown campaign → 404 errors envelope; malformed id → 400; bad token → 400', async () => {
    const missing = await call(sim, '/v1/campaigns/999999/actions');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual(routeError('/v1/campaigns/999999/actions', 404));
    expect((await call(sim, '/v1/campaigns/abc/actions')).status).toBe(400);
    expect((await call(sim, '/v1/campaigns/5/actions?start=%%%')).status).toBe(400);
  });

  test('single campaign and single action lookups', async () => {
    const c = sim.truth.campaigns()[1];
    expect((await call(sim, `/v1/campaigns/${c?.id}`)).json).toEqual({ campaign: c });
    const a = sim.truth.campaignActions(c?.id ?? 0)[0];
    expect((await call(sim, `/v1/campaigns/${c?.id}/actions/${a?.id}`)).json).toEqual({ action: a });
  });
});

describe('GET /v1/newsletters', () => {
  test('walks ascending and descending with limit + start, equal to the truth', async () => {
    const asc = await walk<NewsletterRecord>(sim, '/v1/newsletters?limit=7', list('newsletters'));
    expect(asc.records).toEqual(sim.truth.newsletters());
    expect(asc.pages).toBe(5);
    const desc = await walk<NewsletterRecord>(sim, '/v1/newsletters?limit=7&sort=desc', list('newsletters'));
    expect(desc.records).toEqual([...sim.truth.newsletters()].reverse());
    // Tokens look like base64 offsets ("Nw==" is 7), as seen live.
    expect(asc.tokens[0]).toBe('Nw==');
  });

  test('default page size without limit is 10; limit above 1000 is clamped; bad values are 400', async () => {
    const res = await call<{ newsletters: unknown[] }>(sim, '/v1/newsletters');
    expect(res.json.newsletters).toHaveLength(10);
    expect((await call<{ newsletters: unknown[] }>(sim, '/v1/newsletters?limit=5000')).json.newsletters).toHaveLength(SMALL.newsletters);
    expect((await call(sim, '/v1/newsletters?limit=0')).status).toBe(400);
    expect((await call(sim, '/v1/newsletters?limit=ten')).status).toBe(400);
    expect((await call(sim, '/v1/newsletters?sort=newest')).status).toBe(400);
  });
});

describe('segments and membership', () => {
  test('GET /v1/segments is one call equal to the truth', async () => {
    const res = await call<{ segments: SegmentRecord[] }>(sim, '/v1/segments');
    expect(res.json.segments).toEqual(sim.truth.segments());
  });

  test('every segment membership walks to the truth, with no duplicates', async () => {
    let emptyPages = 0;
    const deleted = sim.truth.deletedParents().segments;
    for (const s of sim.truth.segments()) {
      if (deleted.includes(s.id)) continue;
      const ids: string[] = [];
      const w = await walk<IdentifiersEntry>(sim, `/v1/segments/${s.id}/membership?limit=37`, (page) => {
        const identifiers = page.identifiers as IdentifiersEntry[] | null;
        const pageIds = page.ids as string[] | null;
        expect(identifiers === null).toBe(pageIds === null);
        ids.push(...(pageIds ?? []));
        return identifiers;
      });
      expect(w.records).toEqual(sim.truth.segmentMembers(s.id));
      expect(w.records.map((r) => r.cio_id)).toEqual(sim.truth.segmentMemberCioIds(s.id));
      expectNoDuplicates(w.records.map((r) => r.cio_id));
      // Members without a customer id show "" in ids.
      expect(ids).toEqual(w.records.map((r) => r.id ?? ''));
      emptyPages += w.emptyPagesWithNext;
    }
    expect(emptyPages).toBeGreaterThan(0);
  });

  test('an empty segment answers identifiers: null, ids: null, next: ""', async () => {
    const empty = sim.truth.segments().find((s) => sim.truth.segmentMembers(s.id).length === 0);
    expect(empty).toBeDefined();
    const res = await call(sim, `/v1/segments/${empty?.id}/membership`);
    expect(res.text).toBe('{"identifiers":null,"ids":null,"next":""}');
  });

  test('members without an email have no email key; some have no id', async () => {
    const all = sim.truth.segments().flatMap((s) => sim.truth.segmentMembers(s.id));
    expect(all.some((m) => !('email' in m))).toBe(true);
    expect(all.some((m) => m.id === null)).toBe(true);
  });

  test('unknown segment → 404; customer_count', async () => {
    expect((await call(sim, '/v1/segments/424242/membership')).status).toBe(404);
    const s = sim.truth.segments()[1];
    const count = await call(sim, `/v1/segments/${s?.id}/customer_count`);
    expect(count.json).toEqual({ segment_id: s?.id, count: sim.truth.segmentMembers(s?.id ?? 0).length });
  });
});
