import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { call, start } from './helpers.js';

describe('authentication and scopes', () => {
  test('missing, unknown or non-bearer keys → 401 errors envelope', async () => {
    const sim = await start();
    try {
      for (const authorization of ['', 'Bearer wrong-key', 'Basic c2l0ZTprZXk=']) {
        const res = await call(sim, '/v1/campaigns', { headers: { authorization } });
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ errors: [{ detail: expect.any(String), status: '401' }] });
      }
      expect(sim.stats().byStatus['401']).toBe(3);
    } finally {
      await sim.close();
    }
  });

  test('custom apiKeys replace the demo key', async () => {
    const sim = await start({ apiKeys: ['k-one', 'k-two'] });
    try {
      expect((await call(sim, '/v1/workspaces')).status).toBe(401);
      expect((await call(sim, '/v1/workspaces', { headers: { authorization: 'Bearer k-two' } })).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  test('forbidden prefixes → 403 that names nothing secret; other paths still work; unknown paths 404', async () => {
    const sim = await start({ forbidden: ['/v1/segments'] });
    try {
      for (const path of ['/v1/segments', '/v1/segments/4/membership']) {
        const res = await call(sim, path);
        expect(res.status).toBe(403);
        expect(res.json).toEqual({ errors: [{ detail: expect.any(String), status: '403' }] });
        expect(res.text).not.toContain('sim-demo');
      }
      expect((await call(sim, '/v1/campaigns')).status).toBe(200);
      const missing = await call(sim, '/v1/no_such_thing');
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ errors: [{ detail: expect.any(String), status: '404' }] });
      expect((await call(sim, '/v1/campaigns', { method: 'DELETE' })).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});

describe('rate limit', () => {
  const burst = async (url: string, n: number): Promise<Response[]> =>
    Promise.all(Array.from({ length: n }, () => fetch(`${url}/v1/workspaces`, { headers: { authorization: 'Bearer sim-demo-app-api-key' } })));

  test('beyond 10 per second: 429 with the errors envelope and no Retry-After (older build)', async () => {
    const sim = await start({ rateLimit: 10 });
    try {
      const answers = await burst(sim.url, 15);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(5);
      const limited = answers.find((r) => r.status === 429);
      expect(limited?.headers.get('retry-after')).toBeNull();
      const body = (await limited?.json()) as { errors: { detail: string; status: string }[] };
      expect(body.errors[0]?.status).toBe('429');
      expect(body.errors[0]?.detail).toMatch(/^rate limited to 10 requests per 1s \(reference [0-9a-f]+\)$/);
      await Promise.all(answers.map((r) => (r.bodyUsed ? undefined : r.arrayBuffer())));
      const stats = sim.stats();
      expect(stats.rateLimited).toBe(5);
      expect(stats.requests).toBe(15);
      expect(stats.maxInWindow).toBe(10);
    } finally {
      await sim.close();
    }
  });

  test('with retryAfter: true the 429 carries Retry-After: 1', async () => {
    const sim = await start({ rateLimit: 3, retryAfter: true });
    try {
      const answers = await burst(sim.url, 5);
      const limited = answers.filter((r) => r.status === 429);
      expect(limited).toHaveLength(2);
      for (const r of limited) expect(r.headers.get('retry-after')).toBe('1');
      await Promise.all(answers.map((r) => r.arrayBuffer()));
    } finally {
      await sim.close();
    }
  });

  test('sliding window: rejected requests do not consume it, and the budget frees one second after the accepted ones', async () => {
    const sim = await start({ rateLimit: 5 });
    try {
      const t0 = Date.now();
      const first = await burst(sim.url, 5);
      expect(first.every((r) => r.status === 200)).toBe(true);
      await Promise.all(first.map((r) => r.arrayBuffer()));
      // Keep knocking while the window is full: all rejected.
      while (Date.now() - t0 < 700) {
        expect((await call(sim, '/v1/workspaces')).status).toBe(429);
        await sleep(50);
      }
      await sleep(Math.max(0, 1250 - (Date.now() - t0)));
      expect((await call(sim, '/v1/workspaces')).status).toBe(200);
      const stats = sim.stats();
      expect(stats.maxInWindow).toBeLessThanOrEqual(5);
      expect(stats.rateLimited).toBeGreaterThan(3);
    } finally {
      await sim.close();
    }
  });

  test('a paced client never sees a 429 and maxInWindow stays at the limit', async () => {
    const sim = await start({ rateLimit: 10 });
    try {
      for (let i = 0; i < 15; i++) {
        expect((await call(sim, '/v1/campaigns')).status).toBe(200);
        await sleep(101);
      }
      expect(sim.stats().maxInWindow).toBeLessThanOrEqual(10);
      expect(sim.stats().rateLimited).toBe(0);
    } finally {
      await sim.close();
    }
  });
});
