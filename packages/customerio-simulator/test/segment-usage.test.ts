import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SegmentUsageRecord, Simulator } from '../src/index.js';
import { call, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

const orNull = (ids: number[]): number[] | null => (ids.length === 0 ? null : ids);

describe('GET /v1/segments/{id}/used_by', () => {
  test('every segment: the campaigns and newsletters that name it, null lists when none', async () => {
    const campaigns = sim.truth.campaigns();
    const newsletters = sim.truth.newsletters();
    let nulls = 0;
    let used = 0;
    const deleted = sim.truth.deletedParents().segments;
    for (const s of sim.truth.segments()) {
      if (deleted.includes(s.id)) continue;
      const res = await call<{ used_by: SegmentUsageRecord }>(sim, `/v1/segments/${s.id}/used_by`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.json)).toEqual(['used_by']);
      expect(res.json.used_by).toEqual(sim.truth.segmentUsage(s.id));
      // Recomputed here from the served campaigns and newsletters, independently of the route.
      const named = newsletters.filter((n) => n.recipient_segment_ids?.includes(s.id));
      expect(res.json.used_by).toEqual({
        segment_id: s.id,
        campaigns: orNull(campaigns.filter((c) => c.trigger_segment_ids?.includes(s.id) || c.filter_segment_ids?.includes(s.id)).map((c) => c.id)),
        draft_newsletters: orNull(named.filter((n) => n.sent_at === null).map((n) => n.id)),
        sent_newsletters: orNull(named.filter((n) => n.sent_at !== null).map((n) => n.id)),
      });
      const u = res.json.used_by;
      for (const list of [u.campaigns, u.draft_newsletters, u.sent_newsletters]) {
        if (list === null) nulls++;
        else used++;
      }
    }
    expect(nulls).toBeGreaterThan(0);
    expect(used).toBeGreaterThan(0);
  });

  test('unknown segment → 404; malformed → 400', async () => {
    expect((await call(sim, '/v1/segments/424242/used_by')).status).toBe(404);
    expect((await call(sim, '/v1/segments/x/used_by')).status).toBe(400);
  });
});
