import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { TapError } from '../../src/errors.js';
import { ApiClient } from '../../src/http/client.js';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { DEFAULT_RETRY } from '../../src/http/retry.js';
import { startSimulator, type Simulator } from 'customerio-simulator';
import { testClient, type ClientOptions } from '../helpers/api-client.js';
import { TEST_KEY } from '../helpers/cli.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function client(options: ClientOptions = {}) {
  const made = await testClient(options);
  sim = made.sim;
  return made;
}

describe('ApiClient retries', () => {
  it('retries a burst of 500/502/503 and returns the answer', async () => {
    const { api, logs, sim } = await client({
      faults: [
        { path: '^/v1/segments$', kind: 'status', status: 500, times: 1 },
        { path: '^/v1/segments$', kind: 'status', status: 502, times: 1 },
        { path: '^/v1/segments$', kind: 'status', status: 503, times: 1 },
      ],
    });
    const body = await api.request<{ segments: unknown[] }>({ path: '/v1/segments' });
    expect(body.segments.length).toBe(sim.truth.segments().length);
    expect(api.stats.retries).toBe(3);
    expect(logs.filter((l) => l.startsWith('WARN GET /v1/segments answered 50'))).toHaveLength(3);
    await api.close();
  });

  // 'honours Retry-After on a 429 and pauses every request meanwhile' times the pause: it is in client.serial.test.ts.

  it('backs off on 429s without Retry-After, like the real API sends them', async () => {
    // The tap asks for 40/s against a 10/s account: the simulator answers 429s, the tap recovers.
    const { api, sim } = await client({ rateLimit: 10, rps: 40 });
    const bodies = await Promise.all(Array.from({ length: 30 }, () => api.request<{ segments: unknown[] }>({ path: '/v1/segments' })));
    expect(bodies.every((b) => Array.isArray(b.segments))).toBe(true);
    expect(sim.stats().rateLimited).toBeGreaterThan(0);
    expect(api.stats.rateLimited).toBe(sim.stats().rateLimited);
    await api.close();
  });

  it('retries a connection reset and a body cut mid-way', async () => {
    const { api } = await client({
      faults: [
        { path: '^/v1/campaigns$', kind: 'reset', times: 1 },
        { path: '^/v1/campaigns$', kind: 'reset-mid-body', times: 1 },
        { path: '^/v1/campaigns$', kind: 'truncated', times: 1 },
      ],
    });
    const body = await api.request<{ campaigns: unknown[] }>({ path: '/v1/campaigns' });
    expect(body.campaigns.length).toBeGreaterThan(0);
    expect(api.stats.retries).toBe(3);
    await api.close();
  });

  it('gives up after a bounded number of tries, naming the endpoint and what came back', async () => {
    const { api, sim } = await client({ maxAttempts: 3, faults: [{ path: '^/v1/segments$', kind: 'status', status: 503 }] });
    const error = await api.request({ path: '/v1/segments' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TapError);
    expect((error as TapError).code).toBe('API_UNAVAILABLE');
    expect((error as TapError).message).toMatch(/GET \/v1\/segments answered 503.*gave up after 3 tries/);
    expect(sim.stats().requests).toBe(3);
    await api.close();
  });

  it('does not retry a 401', async () => {
    const { api, sim } = await client();
    const wrong = new ApiClient({ ...(api as unknown as { options: ConstructorParameters<typeof ApiClient>[0] }).options, apiKey: 'another-key-xyz' });
    const error = await wrong.request({ path: '/v1/segments' }).catch((e: unknown) => e);
    expect((error as TapError).code).toBe('AUTH_FAILED');
    expect(sim.stats().requests).toBe(1);
    await wrong.close();
    await api.close();
  });
});

describe('ApiClient and the rate limit', () => {
  it('tells its own limiter when each request reached the socket, and no other client’s', async () => {
    sim = await startSimulator({ apiKeys: [TEST_KEY], rateLimit: 0 });
    const make = () => {
      const limiter = new RateLimiter(100, systemClock);
      const sent: Array<{ acquired: number; sentAt: number }> = [];
      const sentAt = limiter.sentAt.bind(limiter);
      limiter.sentAt = (departure, atMs) => {
        sent.push({ acquired: departure.at, sentAt: atMs });
        sentAt(departure, atMs);
      };
      const api = new ApiClient({
        baseUrl: (sim as Simulator).url,
        apiKey: TEST_KEY,
        limiter,
        retry: DEFAULT_RETRY,
        clock: systemClock,
        logger: { log: () => undefined },
        signal: new AbortController().signal,
      });
      return { api, sent };
    };
    const a = make();
    const b = make();
    await Promise.all([
      ...Array.from({ length: 5 }, () => a.api.request({ path: '/v1/segments' })),
      ...Array.from({ length: 3 }, () => b.api.request({ path: '/v1/campaigns' })),
    ]);
    await Promise.all([a.api.close(), b.api.close()]);
    expect(a.sent.length).toBe(5);
    expect(b.sent.length).toBe(3);
    for (const { acquired, sentAt } of [...a.sent, ...b.sent]) expect(sentAt).toBeGreaterThanOrEqual(acquired);
  });
});
