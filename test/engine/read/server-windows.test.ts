import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { validateConfig } from '../../../src/config.js';
import { DEFAULT_CONCURRENCY, newSyncContext } from '../../../src/engine/context.js';
import { readStream } from '../../../src/engine/read-stream.js';
import { planWindows, splitOlderHalf, type Window } from '../../../src/engine/read/server-windows.js';
import { defineStream, type Row } from '../../../src/engine/stream.js';
import { ApiClient, type ApiRequest } from '../../../src/http/client.js';
import { RateLimiter } from '../../../src/http/rate-limit.js';
import { DEFAULT_RETRY } from '../../../src/http/retry.js';
import { messages } from '../../../src/streams/messages.js';
import { engineSettings } from '../../../src/streams/settings.js';
import { TEST_KEY } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/simulator.js';

describe('windows', () => {
  it('cover [from, to) exactly, without gaps or overlap, none longer than the maximum', () => {
    const plan = planWindows(0, 400 * 86_400, { maxSeconds: 182 * 86_400, pageSize: 1000 });
    const windows = [...plan.windows()];
    expect(windows[0]?.start).toBe(0);
    expect(windows.at(-1)?.end).toBe(400 * 86_400);
    for (let i = 1; i < windows.length; i++) expect(windows[i]?.start).toBe(windows[i - 1]?.end);
    for (const w of windows) expect(w.end - w.start).toBeLessThanOrEqual(182 * 86_400);
  });

  it('size later windows from the density seen, for about 8 pages each', () => {
    const plan = planWindows(0, 10_000_000, { maxSeconds: 15_000_000, pageSize: 1000 });
    const iterator = plan.windows();
    const first = iterator.next().value as { index: number; start: number; end: number };
    // A full first page spanning 1000 seconds: one record per second.
    const records = Array.from({ length: 1000 }, (_, i) => ({ created: first.end - 1 - i }));
    plan.observe(first, records, true, 'created');
    const second = iterator.next().value as { start: number; end: number };
    expect(second.end - second.start).toBeCloseTo(8_000, -2);
    plan.observe({ index: 1, ...second }, [], false, 'created');
    const third = iterator.next().value as { start: number; end: number };
    expect(third.end - third.start).toBe(Math.min(15_000_000, 10_000_000 - third.start));
  });
});

describe('splitting the older half off a window being read', () => {
  it('takes the window with most left, cutting what remains beyond the page in flight in two', () => {
    // 1 record a second; `a` has read 300 s (3 pages) and has 5,000 s left, `b` 1,000 s.
    const a: Window = { index: 0, start: 0, end: 5_300, reached: 5_000, seen: 300 };
    const b: Window = { index: 1, start: 5_300, end: 6_600, reached: 6_300, seen: 300 };
    const older = splitOlderHalf([a, b], 100, 2);
    // In flight: [4_900, 5_000); the rest, [0, 4_900), is cut at 2_450.
    expect(older).toEqual({ index: 2, start: 0, end: 2_450 });
    expect(a.start).toBe(2_450);
    expect(b.start).toBe(5_300);
  });

  it('leaves alone a window with less than a page on each side, or not yet begun', () => {
    expect(splitOlderHalf([{ index: 0, start: 0, end: 1_000, reached: 250, seen: 750 }], 100, 1)).toBeUndefined();
    expect(splitOlderHalf([{ index: 0, start: 0, end: 100_000 }], 100, 1)).toBeUndefined();
  });
});

describe('a message read whose windows are split as readers run out of work (real HTTP)', () => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await testWorkspace({ scale: 'medium', rateLimit: 0, latencyMs: 5 });
  });
  afterAll(async () => ws.close());

  it('reads every message once, asks the split windows, and checkpoints only forward', async () => {
    // Around the first delivery: two 25-day windows, the older one 10 days of data and the newer
    // 25, so its reader finishes first and takes half of what the other has left.
    const oldest = ws.sim.truth.messageSpan().oldest;
    const from = oldest - 15 * 86_400;
    const to = oldest + 35 * 86_400;
    const iso = (t: number) => new Date(t * 1000).toISOString();
    const config = validateConfig({ app_api_key: TEST_KEY, base_url: ws.sim.url, start_date: iso(from), end_date: iso(to), requests_per_second: 100 });
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const logger = { log: () => undefined };
    const api = new ApiClient({
      baseUrl: ws.sim.url,
      apiKey: TEST_KEY,
      limiter: new RateLimiter(100, systemClock),
      retry: DEFAULT_RETRY,
      clock: systemClock,
      logger,
      signal: controller.signal,
    });
    const asked: ApiRequest[] = [];
    const spy = Object.create(api) as ApiClient;
    spy.request = (request) => {
      asked.push(request);
      return api.request(request);
    };
    // Small pages: many pages from a small workspace, so the windows run unevenly.
    const small = defineStream({ ...messages, pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 50 } } });
    if (small.cursor?.mode !== 'server-window') throw new Error('messages reads server windows');
    const ctx = newSyncContext({ api: spy, ...engineSettings(config), logger, clock: systemClock, signal: controller.signal, concurrency: { ...DEFAULT_CONCURRENCY, windows: 2 } });
    const ids: string[] = [];
    const checkpoints: number[] = [];
    for await (const chunk of readStream(ctx, small, 'incremental', undefined)) {
      if ('records' in chunk) ids.push(...chunk.records.map((r: Row) => String(r['id'])));
      else checkpoints.push(chunk.checkpoint['created'] as number);
    }
    await api.close();

    const expected = ws.sim.truth.messageIds(from, to - 1);
    expect(expected.length).toBeGreaterThan(1000);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...expected].sort());
    // A split window asks again from the start of the window it came from.
    const windows = new Map<number, Set<number>>();
    for (const r of asked.filter((r) => r.query?.['start'] === undefined)) {
      const start = Number(r.query?.['start_ts']);
      windows.set(start, (windows.get(start) ?? new Set()).add(Number(r.query?.['end_ts'])));
    }
    expect([...windows.values()].some((ends) => ends.size > 1)).toBe(true);
    for (let i = 1; i < checkpoints.length; i++) expect(checkpoints[i]).toBeGreaterThanOrEqual(checkpoints[i - 1] as number);
    expect(checkpoints.at(-1)).toBe(to);
  });
});
