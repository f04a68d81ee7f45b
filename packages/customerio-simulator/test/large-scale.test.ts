import { describe, expect, test } from 'vitest';
import type { MessageRecord } from '../src/index.js';
import { call, DAY, start } from './helpers.js';

describe("scale: 'large'", () => {
  test('serves over a million messages by index, quickly, with flat memory', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const sim = await start({ scale: 'large' });
    try {
      const counts = sim.truth.counts();
      expect(counts.messages).toBeGreaterThanOrEqual(1_000_000);
      expect(counts.people).toBe(200_000);
      expect(counts.campaigns).toBe(200);
      expect(counts.newsletters).toBe(2000);

      // A page at the oldest end of the year, without walking anything before it.
      const span = sim.truth.messageSpan();
      const path = `/v1/messages?limit=1000&start_ts=${span.oldest}&end_ts=${span.oldest + 10 * DAY}`;
      let t = performance.now();
      let page = await call<{ messages: MessageRecord[] | null; next: string }>(sim, path);
      if (page.json.messages === null) page = await call(sim, `${path}&start=${encodeURIComponent(page.json.next)}`);
      const firstMs = performance.now() - t;
      expect(page.status).toBe(200);
      expect(page.json.messages).toHaveLength(1000);
      expect(page.json.messages?.map((m) => m.id)).toEqual(sim.truth.messageIds(span.oldest, span.oldest + 10 * DAY).slice(0, 1000));
      expect(firstMs).toBeLessThan(1500);

      // Warm pages are fast (generous bound for slow CI machines).
      t = performance.now();
      for (let i = 0; i < 5; i++) await call(sim, `/v1/messages?limit=1000&start_ts=${span.oldest + i * 30 * DAY}&end_ts=${span.oldest + (i + 1) * 30 * DAY}`);
      expect((performance.now() - t) / 5).toBeLessThan(300);

      // 30000 is the membership page maximum; the big segment needs several pages.
      const big = sim.truth.segments()[1];
      const membership = await call<{ identifiers: unknown[] | null; next: string }>(sim, `/v1/segments/${big?.id}/membership?limit=40000`);
      const members =
        membership.json.identifiers ??
        (await call<{ identifiers: unknown[] }>(sim, `/v1/segments/${big?.id}/membership?limit=40000&start=${encodeURIComponent(membership.json.next)}`)).json
          .identifiers;
      expect(members).toHaveLength(30_000);
      const newsletters = await call<{ newsletters: unknown[] }>(sim, '/v1/newsletters?limit=5000');
      expect(newsletters.json.newsletters).toHaveLength(1000);
      const people = await call<{ identifiers: unknown[] }>(sim, '/v1/customers?limit=5000', {
        body: { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } },
      });
      expect(people.json.identifiers).toHaveLength(1000);

      // Nothing is materialised: the heap stays far below what a million records would need.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(150 * 1024 * 1024);
    } finally {
      await sim.close();
    }
  });
});
