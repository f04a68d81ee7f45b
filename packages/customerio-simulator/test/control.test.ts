import { describe, expect, test } from 'vitest';
import type { SimulatorStats } from '../src/index.js';
import { call, DAY, NOW, routeError, start } from './helpers.js';

describe('control endpoints and stats', () => {
  test('stats count API requests by status and normalised route; control calls are not counted', async () => {
    const sim = await start();
    try {
      await call(sim, '/v1/campaigns/5/actions');
      await call(sim, '/v1/campaigns/7/actions');
      await call(sim, '/v1/campaigns/999/actions');
      await call(sim, '/v1/nope');
      const res = await fetch(`${sim.url}/__sim/stats`);
      expect(res.status).toBe(200);
      const stats = (await res.json()) as SimulatorStats;
      expect(stats).toEqual(sim.stats());
      expect(stats.requests).toBe(4);
      expect(stats.byPath).toEqual({ '/v1/campaigns/:campaign_id/actions': 3, unknown: 1 });
      expect(stats.byStatus).toEqual({ '200': 2, '404': 2 });
      expect(stats.firstAt).toBeLessThanOrEqual(stats.lastAt ?? 0);
      expect(stats.maxInWindow).toBe(4);

      expect((await fetch(`${sim.url}/__sim/reset-stats`, { method: 'POST' })).status).toBe(200);
      expect(sim.stats()).toEqual({ requests: 0, byStatus: {}, rateLimited: 0, byPath: {}, firstAt: null, lastAt: null, maxInWindow: 0 });
    } finally {
      await sim.close();
    }
  });

  test('advance and faults over HTTP, with validation', async () => {
    const sim = await start({ rateLimit: 1 });
    try {
      const adv = await fetch(`${sim.url}/__sim/advance?seconds=${DAY}`, { method: 'POST' });
      expect(await adv.json()).toEqual({ now: NOW + DAY });
      expect(sim.now()).toBe(NOW + DAY);
      expect((await fetch(`${sim.url}/__sim/advance?seconds=-5`, { method: 'POST' })).status).toBe(400);

      const put = await fetch(`${sim.url}/__sim/faults`, {
        method: 'PUT',
        body: JSON.stringify([{ path: '^/v1/workspaces$', kind: 'status', status: 502, times: 1 }]),
      });
      expect(put.status).toBe(200);
      expect((await call(sim, '/v1/workspaces')).status).toBe(502);
      expect((await call(sim, '/v1/workspaces')).status).toBe(200);
      expect((await fetch(`${sim.url}/__sim/faults`, { method: 'PUT', body: '{"not":"a list"}' })).status).toBe(400);
      expect((await fetch(`${sim.url}/__sim/nothing`)).status).toBe(404);
      // Control endpoints are never rate limited (limit is 1 rps here).
      for (let i = 0; i < 5; i++) expect((await fetch(`${sim.url}/__sim/stats`)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  test('POST /__sim/delete: 200 with the number deleted, children included; 400 for a malformed body, an unknown kind or id, or a second delete', async () => {
    const sim = await start();
    const del = async (body: string): Promise<{ status: number; json: any }> => {
      const res = await fetch(`${sim.url}/__sim/delete`, { method: 'POST', body });
      return { status: res.status, json: await res.json() };
    };
    try {
      expect((await call(sim, '/v1/campaigns/5')).status).toBe(200);
      // Campaign 5 and its 10 actions; the routes (in the worker) already answer without them.
      expect(await del('{"entities":[{"kind":"campaign","id":5},{"kind":"snippet","id":"footer"}]}')).toEqual({ status: 200, json: { deleted: 12 } });
      expect((await call(sim, '/v1/campaigns/5')).json).toEqual(routeError('/v1/campaigns/5', 404));
      expect((await call<{ campaigns: { id: number }[] }>(sim, '/v1/campaigns')).json.campaigns.map((c) => c.id)).not.toContain(5);
      expect(sim.truth.deletedEntities()).toHaveLength(12);

      const envelope = (detail: unknown) => ({ errors: [{ detail, status: '400' }] });
      for (const [body, detail] of [
        ['not json', /body must be JSON/],
        ['[{"kind":"campaign","id":7}]', /body must be JSON/],
        ['{"entities":{"kind":"campaign","id":7}}', /body must be JSON/],
        ['{"entities":[{"kind":"workflow","id":7}]}', /unknown kind "workflow"/],
        ['{"entities":[{"kind":"campaign","id":999}]}', /no campaign 999/],
        ['{"entities":[{"kind":"campaign","id":7},{"kind":"campaign","id":5}]}', /campaign 5 is already deleted/],
      ] as const) {
        expect(await del(body), body).toEqual({ status: 400, json: envelope(expect.stringMatching(detail)) });
      }
      // A rejected batch changed nothing: campaign 7 is still there.
      expect((await call(sim, '/v1/campaigns/7')).status).toBe(200);
      expect(sim.truth.deletedEntities()).toHaveLength(12);
      expect((await fetch(`${sim.url}/__sim/delete`)).status).toBe(404);
      // Control calls are not API requests.
      expect(sim.stats().requests).toBe(4);
    } finally {
      await sim.close();
    }
  });
});
