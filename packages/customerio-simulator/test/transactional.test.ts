import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simulator, TransactionalRecord } from '../src/index.js';
import { call, expectNoDuplicates, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

describe('GET /v1/transactional', () => {
  test('one unpaged call under `messages`, equal to the truth, with the spec key list', async () => {
    const res = await call<{ messages: TransactionalRecord[] }>(sim, '/v1/transactional');
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['messages']);
    expect(res.json.messages).toEqual(sim.truth.transactional());
    expect(res.json.messages).toHaveLength(5);
    expectNoDuplicates(res.json.messages.map((m) => m.id));
    for (const m of res.json.messages) {
      expect(Object.keys(m)).toEqual([
        'id',
        'name',
        'description',
        'send_to_unsubscribed',
        'link_tracking',
        'open_tracking',
        'hide_message_body',
        'queue_drafts',
        'created_at',
        'updated_at',
      ]);
      expect(m.updated_at).toBeGreaterThanOrEqual(m.created_at);
    }
  });

  test('the ids deliveries point at (1..3) exist; single lookup; unknown → 404', async () => {
    const ids = sim.truth.transactional().map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining([1, 2, 3]));
    expect((await call(sim, '/v1/transactional/2')).json).toEqual({ message: sim.truth.transactional()[1] });
    expect((await call(sim, '/v1/transactional/99')).status).toBe(404);
  });
});
