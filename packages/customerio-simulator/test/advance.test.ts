import { describe, expect, test } from 'vitest';
import type { MessageRecord } from '../src/index.js';
import { call, DAY, list, NOW, start, walk } from './helpers.js';

describe('advance()', () => {
  test('new messages appear at the head and recent messages gain metrics', async () => {
    const sim = await start();
    try {
      const recentBefore = sim.truth.messages(NOW - DAY, NOW);
      const countBefore = sim.truth.counts().messages;
      sim.advance(3 * DAY);
      expect(sim.now()).toBe(NOW + 3 * DAY);
      const countAfter = sim.truth.counts().messages;
      expect(countAfter - countBefore).toBe(sim.truth.messageCount(NOW + 1, NOW + 3 * DAY));
      expect(countAfter).toBeGreaterThan(countBefore);

      const w = await walk<MessageRecord>(sim, `/v1/messages?limit=1000&start_ts=${NOW - DAY}`, list('messages'));
      expect(w.records.map((m) => m.id)).toEqual(sim.truth.messageIds(NOW - DAY, NOW + 3 * DAY));
      const fresh = w.records.filter((m) => m.created > NOW);
      expect(fresh.length).toBe(countAfter - countBefore);

      // Same messages, more metrics: opens and clicks arrive hours or days after delivery.
      const after = new Map(w.records.map((m) => [m.id, m]));
      let grew = 0;
      for (const m of recentBefore) {
        const later = after.get(m.id);
        expect(later?.created).toBe(m.created);
        for (const [k, t] of Object.entries(m.metrics)) expect(later?.metrics[k]).toBe(t);
        if (Object.keys(later?.metrics ?? {}).length > Object.keys(m.metrics).length) grew++;
      }
      expect(grew).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });

  test('some campaigns, actions, newsletters and segments get a newer updated; nothing goes back', async () => {
    const sim = await start();
    try {
      const before = {
        campaigns: sim.truth.campaigns(),
        actions: sim.truth.campaigns().flatMap((c) => sim.truth.campaignActions(c.id)),
        newsletters: sim.truth.newsletters(),
        segments: sim.truth.segments(),
      };
      sim.advance(7 * DAY);
      const end = sim.now();
      const changed = (olds: { updated?: number; updated_at?: number }[], news: { updated?: number; updated_at?: number }[]): number => {
        let n = 0;
        olds.forEach((o, i) => {
          const a = o.updated ?? o.updated_at ?? 0;
          const b = news[i]?.updated ?? news[i]?.updated_at ?? 0;
          expect(b).toBeGreaterThanOrEqual(a);
          expect(b).toBeLessThanOrEqual(end);
          if (b > a) {
            expect(b).toBeGreaterThan(NOW);
            n++;
          }
        });
        return n;
      };
      const campaigns = await call<{ campaigns: { updated: number; deduplicate_id: string; id: number }[] }>(sim, '/v1/campaigns');
      expect(changed(before.campaigns, campaigns.json.campaigns)).toBeGreaterThan(0);
      for (const c of campaigns.json.campaigns) expect(c.deduplicate_id).toBe(`${c.id}:${c.updated}`);
      expect(
        changed(
          before.actions,
          sim.truth.campaigns().flatMap((c) => sim.truth.campaignActions(c.id)),
        ),
      ).toBeGreaterThan(0);
      expect(changed(before.newsletters, sim.truth.newsletters())).toBeGreaterThan(0);
      expect(changed(before.segments, sim.truth.segments())).toBeGreaterThan(0);
      // Not everything changes: the schedules are per entity.
      expect(changed(before.campaigns, sim.truth.campaigns())).toBeLessThan(before.campaigns.length + before.actions.length);
    } finally {
      await sim.close();
    }
  });

  test('advance() rejects negative or fractional seconds', async () => {
    const sim = await start();
    try {
      expect(() => sim.advance(-1)).toThrow(RangeError);
      expect(() => sim.advance(1.5)).toThrow(RangeError);
    } finally {
      await sim.close();
    }
  });
});
