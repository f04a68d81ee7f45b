import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { retentionCutoff, type ActivityRecord, type Simulator } from '../src/index.js';
import { call, DAY, expectNoDuplicates, list, NOW, start, walk } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

describe('GET /v1/activities', () => {
  test('the whole feed: future-dated head, then newest first back to the retention cutoff, digit-string tokens', async () => {
    const w = await walk<ActivityRecord>(sim, '/v1/activities?limit=100', list('activities'));
    expect(w.records).toEqual(sim.truth.activities());
    // 1,000 in the guaranteed 30 days, 3 future-dated, and the tail past 30 days.
    const tail = w.records.filter((a) => a.timestamp < NOW - 30 * DAY).length;
    expect(tail).toBeGreaterThan(0);
    expect(w.records).toHaveLength(1003 + tail);
    expectNoDuplicates(w.records.map((a) => a.id));
    for (const t of w.tokens) expect(t).toMatch(/^[0-9]{18}$/);

    const future = w.records.filter((a) => a.timestamp > NOW);
    expect(future.length).toBeGreaterThan(0);
    // Future-dated ones sit at the head of the feed.
    expect(w.records.slice(0, future.length)).toEqual(future);
    const rest = w.records.slice(future.length).map((a) => a.timestamp);
    expect(rest).toEqual([...rest].sort((x, y) => y - x));
    const cutoff = sim.truth.activityCutoff();
    for (const t of rest) expect(t >= cutoff && t <= NOW).toBe(true);
  });

  test('30 days are guaranteed, and the feed reaches 1 to 72 hours further back, by seed', async () => {
    const tails = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      for (const now of [NOW, NOW + 7 * 3600, NOW + 19 * 3600]) {
        const cutoff = retentionCutoff(seed, now);
        const tail = now - 30 * DAY - cutoff;
        expect(tail).toBeGreaterThanOrEqual(3600);
        expect(tail).toBeLessThan(72 * 3600);
        tails.add(tail);
      }
    }
    // Neither exactly 30 days nor one fixed margin: a client must not assume either.
    expect(tails.size).toBeGreaterThan(20);
    expect(sim.truth.activityCutoff()).toBe(retentionCutoff(1, NOW));
    // The generated history goes back further than what is served: the oldest served activity is
    // the first at or after the cutoff, not the first ever generated.
    const all = sim.truth.activities();
    const oldest = all[all.length - 1];
    expect(oldest?.timestamp).toBeGreaterThanOrEqual(sim.truth.activityCutoff());
    expect(oldest?.timestamp).toBeLessThan(sim.truth.activityCutoff() + 3 * 3600);
  });

  test('limit: default 10, clamped to 100; shapes by type', async () => {
    expect((await call<{ activities: unknown[] }>(sim, '/v1/activities')).json.activities).toHaveLength(10);
    expect((await call<{ activities: unknown[] }>(sim, '/v1/activities?limit=500')).json.activities).toHaveLength(100);
    expect((await call(sim, '/v1/activities?limit=-3')).status).toBe(400);
    expect((await call(sim, '/v1/activities?start=MTAw')).status).toBe(400);
    const all = sim.truth.activities();
    const delivery = all.find((a) => a.type === 'opened_email');
    expect(delivery).toMatchObject({ delivery_type: 'email', data: { delivery_id: delivery?.delivery_id, opened: true } });
    expect(all.find((a) => a.type === 'page')?.url).toMatch(/^https:\/\//);
    expect(all.find((a) => a.type === 'attribute_change')?.data).toMatchObject({ plan: { from: expect.any(String), to: expect.any(String) } });
    expect(all[0]?.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  test('type, name and customer_id (id_type id, email, cio_id) filter the feed; deleted=true is empty while nobody was deleted', async () => {
    const all = sim.truth.activities();
    const filtered = async (query: string): Promise<ActivityRecord[]> =>
      (await walk<ActivityRecord>(sim, `/v1/activities?limit=100${query}`, list('activities'))).records;
    expect(await filtered('&type=attribute_change')).toEqual(all.filter((a) => a.type === 'attribute_change'));
    expect(await filtered('&name=signed_up')).toEqual(all.filter((a) => a.name === 'signed_up'));
    const who = all.find((a) => a.customer_identifiers?.id !== null && a.customer_identifiers?.email !== null)?.customer_identifiers;
    const theirs = all.filter((a) => a.customer_identifiers?.cio_id === who?.cio_id);
    expect(theirs.length).toBeGreaterThan(0);
    expect(await filtered(`&customer_id=${who?.id ?? ''}`)).toEqual(theirs);
    expect(await filtered(`&customer_id=${encodeURIComponent(who?.email ?? '')}&id_type=email`)).toEqual(theirs);
    expect(await filtered(`&customer_id=${who?.cio_id ?? ''}&id_type=cio_id`)).toEqual(theirs);
    expect(await filtered('&deleted=false')).toEqual(all);
    expect((await call(sim, '/v1/activities?deleted=true')).json).toEqual({ activities: null, next: '' });
    expect((await call(sim, '/v1/activities?deleted=1')).status).toBe(400);
    expect((await call(sim, '/v1/activities?customer_id=x&id_type=phone')).status).toBe(400);
  });

  test('activities older than 30 days drop out as the clock moves', async () => {
    const local = await start();
    try {
      const before = local.truth.activities();
      local.advance(10 * DAY);
      const after = local.truth.activities();
      const oldest = after[after.length - 1];
      expect(oldest?.timestamp).toBeGreaterThanOrEqual(local.truth.activityCutoff());
      expect(local.truth.activityCutoff()).toBeLessThan(local.now() - 30 * DAY);
      expect(before.some((b) => b.timestamp < local.truth.activityCutoff())).toBe(true);
      expect(after.some((a) => !before.some((b) => b.id === a.id))).toBe(true);
      const w = await walk<ActivityRecord>(local, '/v1/activities?limit=100', list('activities'));
      expect(w.records.map((a) => a.id)).toEqual(after.map((a) => a.id));
    } finally {
      await local.close();
    }
  });
});
