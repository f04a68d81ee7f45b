import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WorkspaceClock } from '../src/clock.js';
import { World } from '../src/data/world.js';
import type { BroadcastActionRecord, BroadcastRecord, BroadcastTriggerRecord, Simulator } from '../src/index.js';
import { actionIdAsInteger, SCALES } from '../src/index.js';
import { call, expectNoDuplicates, NOW, routeError, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

interface ActionsPage {
  actions: BroadcastActionRecord[] | null;
  next?: string;
}

/** Reads a broadcast's actions the way S3 does: follow `next` when one comes back. */
async function readActions(s: Simulator, id: number): Promise<{ actions: BroadcastActionRecord[]; pages: ActionsPage[] }> {
  const pages: ActionsPage[] = [];
  let path = `/v1/broadcasts/${id}/actions`;
  for (;;) {
    const res = await call<ActionsPage>(s, path);
    expect(res.status).toBe(200);
    pages.push(res.json);
    if (res.json.next === undefined || res.json.next === '') break;
    path = `/v1/broadcasts/${id}/actions?start=${encodeURIComponent(res.json.next)}`;
    expect(pages.length).toBeLessThan(5);
  }
  return { actions: pages.flatMap((p) => p.actions ?? []), pages };
}

describe('GET /v1/broadcasts', () => {
  test('one unpaged call equal to the truth; even ids, triggered_broadcast, running|draft', async () => {
    const res = await call<{ broadcasts: BroadcastRecord[] }>(sim, '/v1/broadcasts');
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['broadcasts']);
    expect(res.json.broadcasts).toEqual(sim.truth.broadcasts());
    expect(res.json.broadcasts).toHaveLength(4);
    expectNoDuplicates(res.json.broadcasts.map((b) => b.id));
    for (const b of res.json.broadcasts) {
      expect(b.id % 2).toBe(0);
      expect(b.type).toBe('triggered_broadcast');
      expect(['running', 'draft']).toContain(b.state);
      expect(b.active).toBe(b.state === 'running');
      expect(b.deduplicate_id).toBe(`${b.id}:${b.updated}`);
    }
  });

  test('single broadcast lookup; unknown → 404 envelope; malformed → 400', async () => {
    const b = sim.truth.broadcasts()[2];
    expect((await call(sim, `/v1/broadcasts/${b?.id}`)).json).toEqual({ broadcast: b });
    const missing = await call(sim, '/v1/broadcasts/999/actions');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual(routeError('/v1/broadcasts/999/actions', 404));
    expect((await call(sim, '/v1/broadcasts/3/triggers')).status).toBe(404);
    expect((await call(sim, '/v1/broadcasts/x/actions')).status).toBe(400);
  });
});

describe('GET /v1/broadcasts/{id}/actions', () => {
  test('every broadcast: string or integer ids, broadcast_id set, refs match, equal to the truth', async () => {
    const deleted = sim.truth.deletedParents().broadcasts;
    let without = 0;
    for (const b of sim.truth.broadcasts()) {
      if (deleted.includes(b.id)) continue;
      const { actions, pages } = await readActions(sim, b.id);
      expect(actions).toEqual(sim.truth.broadcastActions(b.id));
      expect(actions.map((a) => String(a.id))).toEqual((b.actions ?? []).map((r) => String(r.id)));
      expectNoDuplicates(actions.map((a) => String(a.id)));
      if (b.actions === null) {
        // No actions: `actions: null` on the broadcast and on its actions list (§4).
        without++;
        expect(pages).toEqual([{ actions: null }]);
        expect(b.msg_template_ids).toBeNull();
      }
      for (const a of actions) {
        expect(typeof a.id).toBe(actionIdAsInteger(1, Number(a.id)) ? 'number' : 'string');
        expect(a.broadcast_id).toBe(b.id);
        expect(a.campaign_id).toBeNull();
      }
    }
    expect(without).toBe(1);
  });

  test('most broadcasts answer in one call without `next`; the split one gives 6 + next, then the rest + next ""', async () => {
    const [, split] = sim.truth.broadcasts();
    expect(split?.actions).toHaveLength(12);
    const { pages } = await readActions(sim, split?.id ?? 0);
    expect(pages).toHaveLength(2);
    expect(pages[0]?.actions).toHaveLength(6);
    expect(pages[0]?.next).toBe('Ng==');
    expect(pages[1]?.actions).toHaveLength(6);
    expect(pages[1]?.next).toBe('');
    const whole = sim.truth.broadcasts().find((b) => b.id !== split?.id);
    const single = await call(sim, `/v1/broadcasts/${whole?.id}/actions`);
    expect(Object.keys(single.json)).toEqual(['actions']);
    // A client that ignores `next` loses the second page.
    expect((await call<ActionsPage>(sim, `/v1/broadcasts/${split?.id}/actions`)).json.actions).toHaveLength(6);
  });

  test('a bad start token is a 400; single action lookup by string id', async () => {
    const b = sim.truth.broadcasts()[1];
    expect((await call(sim, `/v1/broadcasts/${b?.id}/actions?start=%%%`)).status).toBe(400);
    const a = sim.truth.broadcastActions(b?.id ?? 0)[3];
    expect((await call(sim, `/v1/broadcasts/${b?.id}/actions/${a?.id}`)).json).toEqual({ action: a });
    expect((await call(sim, `/v1/broadcasts/${b?.id}/actions/1`)).status).toBe(404);
  });

  test('at medium scale about one in four broadcasts with more than 6 actions splits them', async () => {
    const world = new World(1, SCALES.medium, new WorkspaceClock(NOW));
    let many = 0;
    let split = 0;
    for (let k = 0; k < world.broadcasts.count; k++) {
      if (world.broadcasts.actionCount(k) > 6) many++;
      if (world.broadcasts.twoPages(k)) split++;
    }
    expect(split).toBeGreaterThan(0);
    expect(split).toBeLessThan(many);
  });
});

describe('GET /v1/broadcasts/{id}/triggers', () => {
  test('every broadcast: equal to the truth, null when none, processed_at null while processing', async () => {
    const sizes: number[] = [];
    const deleted = sim.truth.deletedParents().broadcasts;
    for (const b of sim.truth.broadcasts()) {
      if (deleted.includes(b.id)) continue;
      const res = await call<{ triggers: BroadcastTriggerRecord[] | null }>(sim, `/v1/broadcasts/${b.id}/triggers`);
      const truth = sim.truth.broadcastTriggers(b.id);
      expect(res.json.triggers).toEqual(truth.length === 0 ? null : truth);
      expect(Object.keys(res.json)).toEqual(['triggers']);
      for (const t of truth) {
        expect(t.broadcast_id).toBe(b.id);
        expect(t.created_at).toBeLessThanOrEqual(NOW);
        if (t.processed_at !== null) expect(t.processed_at).toBeGreaterThanOrEqual(t.created_at);
      }
      sizes.push(truth.length);
    }
    expect(sizes).toContain(0);
    expect(sizes).toContain(5);
  });

  test('a trigger still processing at the clock gets processed_at once the clock passes it', async () => {
    const s = await start();
    try {
      const pending = s.truth
        .broadcasts()
        .flatMap((b) => s.truth.broadcastTriggers(b.id))
        .filter((t) => t.processed_at === null);
      expect(pending.length).toBeGreaterThan(0);
      s.advance(3600);
      const after = s.truth.broadcastTriggers(pending[0]?.broadcast_id ?? 0).find((t) => t.id === pending[0]?.id);
      expect(after?.processed_at).toEqual(expect.any(Number));
    } finally {
      await s.close();
    }
  });
});

describe('World accessors for the metrics routes', () => {
  test('broadcasts.ids/actionIds, transactional.ids, newsletters.contentIds match what is served', () => {
    const world = new World(1, SCALES.small, new WorkspaceClock(NOW));
    expect(world.broadcasts.ids()).toEqual(sim.truth.broadcasts().map((b) => b.id));
    const deleted = sim.truth.deletedParents().broadcasts;
    for (const id of world.broadcasts.ids()) {
      if (deleted.includes(id)) expect(sim.truth.broadcastActions(id)).toEqual([]);
      else expect(world.broadcasts.actionIds(id)).toEqual(sim.truth.broadcastActions(id).map((a) => a.id));
    }
    expect(() => world.broadcasts.actionIds(3)).toThrow(RangeError);
    expect(world.transactional.ids()).toEqual(sim.truth.transactional().map((t) => t.id));
    for (const n of sim.truth.newsletters()) expect(world.newsletters.contentIds(n.id)).toEqual(n.content_ids);
    expect(() => world.newsletters.contentIds(1)).toThrow(RangeError);
  });
});
