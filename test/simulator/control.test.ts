import { describe, expect, test } from 'vitest';
import type { SimulatorStats } from '../../src/simulator/index.js';
import { call, DAY, NOW, start } from './helpers.js';

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
});
