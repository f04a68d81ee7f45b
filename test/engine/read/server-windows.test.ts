import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { validateConfig } from '../../../src/config.js';
import { DEFAULT_CONCURRENCY, newSyncContext } from '../../../src/engine/context.js';
import { subtract, type Interval } from '../../../src/engine/intervals.js';
import { planWindows, splitOlderHalf, type Window } from '../../../src/engine/read/server-windows.js';
import { readStream, type SyncMode } from '../../../src/engine/read-stream.js';
import { defineStream, type Row } from '../../../src/engine/stream.js';
import { ApiClient, type ApiRequest } from '../../../src/http/client.js';
import { RateLimiter } from '../../../src/http/rate-limit.js';
import { DEFAULT_RETRY } from '../../../src/http/retry.js';
import { messages } from '../../../src/streams/messages.js';
import { engineSettings } from '../../../src/streams/settings.js';
import { TEST_KEY } from '../../helpers/cli.js';
import { drain, idsOf, memoryApi, requestKey, type ContextOptions, type DrainOptions, type Handler, type MemoryApi } from '../../helpers/memory-api.js';
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
    const ctx = newSyncContext({
      api: spy,
      ...engineSettings(config),
      logger,
      clock: systemClock,
      signal: controller.signal,
      concurrency: { ...DEFAULT_CONCURRENCY, windows: 2 },
    });
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

describe('server windows in-process (an in-memory API)', () => {
  const DAY = 86_400;
  const HOUR = 3_600;
  const D0 = 19_675 * DAY;
  const events = defineStream({
    name: 'events',
    schemaFile: 'snippets.json',
    scope: 'Events',
    path: '/v1/events',
    records: 'events',
    primaryKey: [['id']],
    cursor: {
      mode: 'server-window',
      field: 'created',
      startParam: 'start_ts',
      endParam: 'end_ts',
      maxWindowSeconds: DAY,
      lookbackSeconds: 2 * HOUR,
      earliest: 0,
    },
    pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 2 } },
  });
  const event = (id: number, created: number): Row => ({ id, created });
  // Three on day 0, spread out (so windows stay a day long), none on day 1, one on day 2.
  const DATA = [event(1, D0 + 1_000), event(2, D0 + 40_000), event(3, D0 + 80_000), event(4, D0 + 2 * DAY + 500)];
  const RANGE = { start: D0, end: D0 + 3 * DAY };
  const COMPLETE = { created: D0 + 3 * DAY, done: [[D0, D0 + 3 * DAY]], high: D0 + 3 * DAY };

  /** Answers [start_ts, end_ts] newest first, `limit` a page, the offset as the page token. */
  const windowed =
    (data: Row[]): Handler =>
    (request) => {
      const q = request.query ?? {};
      const inside = data.filter((r) => (r['created'] as number) >= Number(q['start_ts']) && (r['created'] as number) <= Number(q['end_ts']));
      inside.sort((a, b) => (b['created'] as number) - (a['created'] as number));
      const offset = Number(q['start'] ?? 0);
      const limit = Number(q['limit']);
      return { events: inside.slice(offset, offset + limit), next: offset + limit < inside.length ? String(offset + limit) : '' };
    };
  const server = (data: Row[] = DATA) => memoryApi({ 'GET /v1/events': windowed(data) }, { now: D0 + 10 * DAY });
  const windowKey = (start: number, end: number, token?: string): string =>
    requestKey({ path: '/v1/events', query: { start_ts: start, end_ts: end - 1, limit: 2, start: token } });
  const read = (api: MemoryApi, state: unknown, options: ContextOptions = {}, mode: SyncMode = 'incremental', drainOptions: DrainOptions = {}) =>
    drain(readStream(api.context({ range: RANGE, ...options }), events, mode, state), drainOptions);

  /** What a state vouches is read: its finished intervals, less the lookback a later read must read again (unless `refreshed`). */
  function finished(state: unknown): Interval[] {
    const s = (state ?? {}) as { done?: Interval[]; high?: number; refreshed?: Interval[] };
    const lookback: Interval[] = s.high === undefined ? [] : [[s.high - 2 * HOUR, s.high]];
    return subtract(s.done ?? [], subtract(lookback, s.refreshed ?? []));
  }
  const inside = (t: number, intervals: Interval[]): boolean => intervals.some(([a, b]) => t >= a && t < b);

  it('reads the windows oldest first, each newest first page by page, with a STATE after each window and the high mark at the end', async () => {
    const api = server();
    const out = await read(api, undefined);
    expect(out.chunks).toEqual([
      { records: [DATA[2], DATA[1]] },
      { records: [DATA[0]] },
      { checkpoint: { created: D0 + DAY, done: [[D0, D0 + DAY]] } },
      { checkpoint: { created: D0 + 2 * DAY, done: [[D0, D0 + 2 * DAY]] } },
      { records: [DATA[3]] },
      { checkpoint: { created: D0 + 3 * DAY, done: [[D0, D0 + 3 * DAY]] } },
      { checkpoint: COMPLETE },
    ]);
    expect(api.keys).toEqual([windowKey(D0, D0 + DAY), windowKey(D0, D0 + DAY, '2'), windowKey(D0 + DAY, D0 + 2 * DAY), windowKey(D0 + 2 * DAY, D0 + 3 * DAY)]);
  });

  it('inside a window, a STATE is due every `checkpoints.records` records: the part newer than the oldest record seen is finished', async () => {
    const out = await read(server(), undefined, { checkpoints: { records: 2, seconds: Infinity } });
    expect(out.checkpoints[0]).toEqual({ created: D0, done: [[D0 + 40_001, D0 + DAY]] });
    expect(out.checkpoints.slice(1)).toEqual([
      { created: D0 + DAY, done: [[D0, D0 + DAY]] },
      { created: D0 + 2 * DAY, done: [[D0, D0 + 2 * DAY]] },
      { created: D0 + 3 * DAY, done: [[D0, D0 + 3 * DAY]] },
      COMPLETE,
    ]);
  });

  it('inside a window, a STATE is due every `checkpoints.seconds` seconds on the injected clock', async () => {
    const api = server();
    // Three seconds pass while each chunk is handled: the first is not due at 3 s, the second is at 6 s.
    const out = await read(api, undefined, { checkpoints: { records: Infinity, seconds: 5 } }, 'incremental', { onChunk: () => api.clock.advance(3_000) });
    expect(out.chunks.map((c) => ('records' in c ? c.records.length : c.checkpoint))).toEqual([
      2,
      1,
      { created: D0, done: [[D0 + 1_001, D0 + DAY]] },
      { created: D0 + DAY, done: [[D0, D0 + DAY]] },
      { created: D0 + 2 * DAY, done: [[D0, D0 + 2 * DAY]] },
      1,
      {
        created: D0 + 2 * DAY,
        done: [
          [D0, D0 + 2 * DAY],
          [D0 + 2 * DAY + 501, D0 + 3 * DAY],
        ],
      },
      { created: D0 + 3 * DAY, done: [[D0, D0 + 3 * DAY]] },
      COMPLETE,
    ]);
  });

  it('a next sync reads again only the lookback before the high mark, then what is new', async () => {
    const late = [...DATA, event(5, D0 + 3 * DAY - 100), event(6, D0 + 3 * DAY + 5_000)];
    const api = server(late);
    const out = await read(api, COMPLETE, { range: { start: D0, end: D0 + 4 * DAY } });
    // Both fall in the first window, which is read newest first.
    expect(out.records).toEqual([late[5], late[4]]);
    expect(api.keys[0]).toBe(windowKey(D0 + 3 * DAY - 2 * HOUR, D0 + 4 * DAY - 2 * HOUR));
    expect(out.checkpoints.at(-1)).toEqual({ created: D0 + 4 * DAY, done: [[D0, D0 + 4 * DAY]], high: D0 + 4 * DAY });
  });

  it('a plain timestamp state of earlier versions means "everything before it is read": the lookback before it is read again', async () => {
    const api = server();
    const out = await read(api, { created: D0 + 2 * DAY });
    expect(api.keys[0]).toBe(windowKey(D0 + 2 * DAY - 2 * HOUR, D0 + 3 * DAY - 2 * HOUR));
    expect(out.records).toEqual([DATA[3]]);
    expect(out.checkpoints.at(-1)).toEqual({ created: D0 + 3 * DAY, done: [[0, D0 + 3 * DAY]], high: D0 + 3 * DAY });
  });

  it('a full refresh starts over after a complete read, but continues a killed full refresh (finished intervals, no high mark)', async () => {
    const again = server();
    expect((await read(again, COMPLETE, {}, 'full_refresh')).records).toHaveLength(4);
    expect(again.keys[0]).toBe(windowKey(D0, D0 + DAY));
    const continued = server();
    const out = await read(continued, { created: D0 + DAY, done: [[D0, D0 + DAY]] }, {}, 'full_refresh');
    expect(continued.keys[0]).toBe(windowKey(D0 + DAY, D0 + 2 * DAY));
    expect(out.records).toEqual([DATA[3]]);
  });

  it('killed after any chunk, a restart re-emits nothing its STATE calls finished, loses nothing and ends in the same state', async () => {
    const late = [...DATA, event(5, D0 + 3 * DAY - 100), event(6, D0 + 3 * DAY + 5_000)];
    const runs = [
      { name: 'first sync', data: DATA, initial: undefined, range: RANGE },
      { name: 'next sync, lookback included', data: late, initial: COMPLETE, range: { start: D0, end: D0 + 4 * DAY } },
    ];
    for (const cadence of [Infinity, 2]) {
      for (const run of runs) {
        const api = server(run.data);
        const options = { range: run.range, checkpoints: { records: cadence, seconds: Infinity } };
        const whole = await read(api, run.initial, options);
        for (let n = 1; n < whole.chunks.length; n++) {
          const where = `${run.name}, a STATE every ${cadence} records, killed after ${n}`;
          const killed = await read(api, run.initial, options, 'incremental', { stopAfter: n });
          const state = killed.checkpoints.at(-1) ?? run.initial;
          const resumed = await read(api, state, options);
          const vouched = finished(state);
          for (const record of resumed.records) expect(inside(record['created'] as number, vouched), `${String(record['id'])} again, ${where}`).toBe(false);
          const got = new Set(idsOf([...killed.covered, ...resumed.records]));
          expect(
            idsOf(whole.records).filter((id) => !got.has(id)),
            where,
          ).toEqual([]);
          expect(resumed.checkpoints.at(-1), where).toEqual(whole.checkpoints.at(-1));
        }
      }
    }
  });

  it('a repeated page token fails with API_RESPONSE_INVALID, and no STATE calls the window finished', async () => {
    const api = memoryApi(
      {
        [windowKey(D0, D0 + DAY)]: { events: [DATA[2]], next: 'x' },
        [windowKey(D0, D0 + DAY, 'x')]: { events: [DATA[1]], next: 'x' },
      },
      { now: D0 + 10 * DAY },
    );
    const out = await drain(readStream(api.context({ range: { start: D0, end: D0 + DAY } }), events, 'incremental', undefined), { keepError: true });
    expect(out.error).toMatchObject({ code: 'API_RESPONSE_INVALID', stream: 'events' });
    expect(out.checkpoints).toEqual([]);
    expect(api.keys).toHaveLength(2);
  });
});
