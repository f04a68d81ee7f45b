import { describe, expect, it } from 'vitest';
import { readStream, type SyncMode } from '../../../src/engine/read-stream.js';
import { defineStream, type MetricsFormat, type Row } from '../../../src/engine/stream.js';
import type { ApiRequest } from '../../../src/http/client.js';
import { drain, fail, memoryApi, type Answer, type ContextOptions, type MemoryApi, type MemoryApiOptions } from '../../helpers/memory-api.js';

const DAY = 86_400;
const D0 = 19_675 * DAY; // a midnight UTC: the range starts here
const NOW = D0 + 10 * DAY + 3_600; // the sync starts an hour into day 10
const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const dayOf = (t: number): number => Math.floor(t / DAY) * DAY;

/** One request per entity for the whole span, answered as daily series from its `from` day on. */
const daily: MetricsFormat = {
  label: 'test',
  series: ['sent', 'opened'],
  bucketOf: (unix) => dayOf(unix),
  requests: (from, to) => ({ requests: [{ query: { from: dayOf(from), to }, start: dayOf(from), until: to }], firstWanted: dayOf(from) }),
  parse: (body) => [{ series: body['series'] as Record<string, unknown>, startOf: (i) => Number(body['start']) + i * DAY }],
};

const things = defineStream({
  name: 'things',
  schemaFile: 'snippets.json',
  scope: 'Things',
  path: '/v1/things',
  records: 'things',
  primaryKey: [['id']],
  pagination: { kind: 'none' },
});

const thingMetrics = defineStream({
  name: 'thing_metrics',
  schemaFile: 'snippets.json',
  scope: 'Things',
  parent: things,
  path: '/v1/things/{id}/metrics',
  records: 'series',
  primaryKey: [['thing_id'], ['period_start']],
  cursor: { mode: 'metrics', field: 'period_start', format: daily, ids: (thing) => ({ thing_id: thing['id'] }), lookbackSeconds: 2 * DAY },
  pagination: { kind: 'none' },
});

/**
 * A server that answers each thing's series from the asked day through day 11, one bucket past
 * the sync's start (the API answers the current bucket and, at times, one it has not reached).
 * `clicked` is a series the format does not name.
 */
const metricsOf =
  (id: number) =>
  (request: ApiRequest): Answer => {
    const from = Number(request.query?.['from']);
    const days = Array.from({ length: (D0 + 11 * DAY - from) / DAY + 1 }, (_, i) => (from - D0) / DAY + i);
    return { start: from, series: { sent: days.map((d) => id * 100 + d), opened: days.map((d) => d), clicked: days.map(() => 1) } };
  };

const TABLE: Record<string, Answer> = {
  'GET /v1/things': { things: [{ id: 1 }, { id: 2 }, { id: 3 }] },
  'GET /v1/things/1/metrics': metricsOf(1),
  'GET /v1/things/2/metrics': metricsOf(2),
  'GET /v1/things/3/metrics': metricsOf(3),
};

/** The record of one thing and day, as the reader emits it. */
const bucket = (id: number, day: number): Row => ({
  thing_id: id,
  resolution: 'days',
  period_start: iso(D0 + day * DAY),
  sent: id * 100 + day,
  opened: day,
  other_series: { clicked: 1 },
});
const days = (id: number, first: number, last: number): Row[] => Array.from({ length: last - first + 1 }, (_, i) => bucket(id, first + i));
const asked = (id: number, from: number): string => `GET /v1/things/${id}/metrics?from=${from}&to=${NOW - 1}`;

function read(api: MemoryApi, state: unknown, options: ContextOptions = {}, mode: SyncMode = 'incremental') {
  return drain(readStream(api.context({ range: { start: D0 }, ...options }), thingMetrics, mode, state));
}
const api = (table: Record<string, Answer> = TABLE, options: MemoryApiOptions = {}) => memoryApi(table, { now: NOW, ...options });

/** The digest of each entity named: a short hash, kept so the next sync can tell which entities moved. */
const digestsOf = (...keys: string[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, expect.stringMatching(/^[\w-]{12}$/)]));

describe('metrics', () => {
  it('a first sync asks each entity once from the range start, one record per bucket up to the sync start, and bookmarks the newest bucket', async () => {
    const mem = api();
    const out = await read(mem, undefined);
    expect(out.chunks).toEqual([
      { records: days(1, 0, 10) },
      { records: days(2, 0, 10) },
      { records: days(3, 0, 10) },
      { checkpoint: { period_start: iso(D0 + 10 * DAY), digests: digestsOf('1', '2', '3') } },
    ]);
    expect(mem.keys).toEqual(['GET /v1/things', asked(1, D0), asked(2, D0), asked(3, D0)]);
  });

  it('an incremental sync reads again from the bookmark less the lookback; a full refresh ignores the bookmark', async () => {
    const state = { period_start: iso(D0 + 8 * DAY) };
    const incremental = api();
    const out = await read(incremental, state);
    expect(out.records).toEqual([...days(1, 6, 10), ...days(2, 6, 10), ...days(3, 6, 10)]);
    expect(out.checkpoints).toEqual([{ period_start: iso(D0 + 10 * DAY), digests: digestsOf('1', '2', '3') }]);
    expect(incremental.keys.slice(1)).toEqual([asked(1, D0 + 6 * DAY), asked(2, D0 + 6 * DAY), asked(3, D0 + 6 * DAY)]);
    const full = api();
    expect((await read(full, state, {}, 'full_refresh')).records).toHaveLength(33);
    expect(full.keys[1]).toBe(asked(1, D0));
  });

  it('says which entities are finished once enough records went out since the last STATE', async () => {
    const out = await read(api(), { period_start: iso(D0 + 8 * DAY) }, { checkpoints: { records: 6, seconds: Infinity } });
    // Five buckets an entity: the second entity passes six records, the third starts over.
    expect(out.chunks.map((c) => ('records' in c ? c.records.length : c.checkpoint))).toEqual([
      5,
      5,
      { period_start: iso(D0 + 8 * DAY), partial: { done: ['1', '2'], newest: iso(D0 + 10 * DAY), until: iso(NOW - 1), digests: digestsOf('1', '2') } },
      5,
      { period_start: iso(D0 + 10 * DAY), digests: digestsOf('1', '2', '3') },
    ]);
  });

  it('says which entities are finished once enough seconds passed since the last STATE', async () => {
    // Two seconds a request, a STATE due every five: after the parent list and two entities.
    const out = await read(api(TABLE, { msPerRequest: 2_000 }), undefined, { checkpoints: { records: Infinity, seconds: 5 } });
    expect(out.checkpoints).toEqual([
      { partial: { done: ['1', '2'], newest: iso(D0 + 10 * DAY), until: iso(NOW - 1), digests: digestsOf('1', '2') } },
      { period_start: iso(D0 + 10 * DAY), digests: digestsOf('1', '2', '3') },
    ]);
  });

  it('killed after any chunk, restarts without asking a finished entity again, losing and repeating no record', async () => {
    for (const initial of [undefined, { period_start: iso(D0 + 8 * DAY) }]) {
      const mem = api();
      const options = { checkpoints: { records: 1, seconds: Infinity } };
      const whole = await read(mem, initial, options);
      const key = (r: Row): string => `${String(r['thing_id'])}@${String(r['period_start'])}`;
      for (let n = 1; n < whole.chunks.length; n++) {
        const killed = await drain(readStream(mem.context({ range: { start: D0 }, ...options }), thingMetrics, 'incremental', initial), { stopAfter: n });
        const state = killed.checkpoints.at(-1) ?? initial;
        mem.take();
        const resumed = await read(mem, state, options);
        const done = ((state as { partial?: { done: string[] } } | undefined)?.partial?.done ?? []).map((id) => `/v1/things/${id}/`);
        expect(
          mem.take().filter((k) => done.some((path) => k.includes(path))),
          `killed after ${n}`,
        ).toEqual([]);
        expect([...killed.covered, ...resumed.records].map(key).sort(), `killed after ${n}`).toEqual(whole.records.map(key).sort());
        expect(resumed.checkpoints.at(-1)).toEqual(whole.checkpoints.at(-1));
      }
    }
  });

  it('a killed read resumed days later reads the rest only up to where it was going: the bookmark then covers every entity', async () => {
    const options = { checkpoints: { records: 1, seconds: Infinity } };
    const killed = await drain(readStream(api().context({ range: { start: D0 }, ...options }), thingMetrics, 'incremental', undefined), { stopAfter: 2 });
    const state = killed.checkpoints.at(-1) as Row;
    expect(state['partial']).toEqual({ done: ['1'], newest: iso(D0 + 10 * DAY), until: iso(NOW - 1), digests: digestsOf('1') });
    const later = memoryApi(TABLE, { now: NOW + 5 * DAY });
    const resumed = await read(later, state, options);
    expect(later.keys).toEqual([expect.stringContaining('/v1/things'), asked(2, D0), asked(3, D0)]);
    expect(resumed.checkpoints.at(-1)).toEqual({ period_start: iso(D0 + 10 * DAY), digests: digestsOf('1', '2', '3') });
  });

  it("a full refresh does not trust an incremental read's progress: every entity is read", async () => {
    const mem = api();
    await read(mem, { period_start: iso(D0 + 8 * DAY), partial: { done: ['1', '2'], until: iso(NOW - 1) } }, {}, 'full_refresh');
    expect(mem.keys.filter((k) => k.includes('/metrics'))).toHaveLength(3);
  });

  it('skips an entity deleted mid-sync (404) with a log line, counting it as finished', async () => {
    const mem = api({ ...TABLE, 'GET /v1/things/2/metrics': () => fail('NOT_FOUND') });
    const out = await read(mem, undefined, { checkpoints: { records: 1, seconds: Infinity } });
    expect(out.records).toEqual([...days(1, 0, 10), ...days(3, 0, 10)]);
    expect(out.checkpoints).toEqual([
      { partial: { done: ['1'], newest: iso(D0 + 10 * DAY), until: iso(NOW - 1), digests: digestsOf('1') } },
      { partial: { done: ['1', '2', '3'], newest: iso(D0 + 10 * DAY), until: iso(NOW - 1), digests: digestsOf('1', '3') } },
      { period_start: iso(D0 + 10 * DAY), digests: digestsOf('1', '3') },
    ]);
    expect(mem.logs).toContain('INFO thing_metrics: things 2 no longer exists (404); skipped');
  });

  it('an answer that is not a JSON object fails with API_RESPONSE_INVALID and no final STATE', async () => {
    const out = await drain(
      readStream(api({ ...TABLE, 'GET /v1/things/2/metrics': () => [1, 2] }).context({ range: { start: D0 } }), thingMetrics, 'incremental', undefined),
      {
        keepError: true,
      },
    );
    expect(out.error).toMatchObject({ code: 'API_RESPONSE_INVALID', stream: 'thing_metrics' });
    expect(out.checkpoints).toEqual([]);
  });
});

describe('metrics by difference', () => {
  /** A second sync at the same moment, from the first one's final state. */
  async function twice(first: MemoryApi, second: MemoryApi, options: ContextOptions = {}) {
    const one = await read(first, undefined, options);
    return { one, two: await read(second, one.checkpoints.at(-1), options) };
  }

  it('an idle sync emits nothing: every entity re-read hashes the same', async () => {
    const { one, two } = await twice(api(), api());
    expect(one.records).toHaveLength(33);
    expect(two.records).toEqual([]);
    expect(two.checkpoints.at(-1)).toEqual(one.checkpoints.at(-1));
  });

  it('an entity whose recent counts moved emits its whole lookback; the others only their new buckets', async () => {
    const one = await read(api(), undefined);
    // Two more opens on day 9 of thing 2, and the next day begins.
    const moved = (request: ApiRequest): Answer => {
      const answer = metricsOf(2)(request) as { start: number; series: Record<string, number[]> };
      const i = (D0 + 9 * DAY - answer.start) / DAY;
      answer.series['opened'] = (answer.series['opened'] ?? []).map((v, j) => (j === i ? v + 2 : v));
      return answer;
    };
    const later = memoryApi({ ...TABLE, 'GET /v1/things/2/metrics': moved }, { now: NOW + DAY });
    const two = await read(later, one.checkpoints.at(-1));
    const changed = days(2, 8, 11).map((r) => (r['period_start'] === iso(D0 + 9 * DAY) ? { ...r, opened: 11 } : r));
    expect(two.records).toEqual([bucket(1, 11), ...changed, bucket(3, 11)]);
  });

  it('a full refresh emits everything, whatever the digests say', async () => {
    const one = await read(api(), undefined);
    expect((await read(api(), one.checkpoints.at(-1), {}, 'full_refresh')).records).toHaveLength(33);
  });

  // Parts of things whose counts add up to their thing's: read only under a thing whose own counts moved.
  const parts = defineStream({
    name: 'parts',
    schemaFile: 'snippets.json',
    scope: 'Things',
    path: '/v1/parts',
    records: 'parts',
    primaryKey: [['id']],
    pagination: { kind: 'none' },
  });
  const partMetrics = (everySeconds: number) =>
    defineStream({
      name: 'part_metrics',
      schemaFile: 'snippets.json',
      scope: 'Things',
      parent: parts,
      path: '/v1/things/{thing_id}/parts/{id}/metrics',
      records: 'series',
      primaryKey: [['part_id'], ['period_start']],
      cursor: {
        mode: 'metrics',
        field: 'period_start',
        format: daily,
        ids: (part) => ({ part_id: part['id'] }),
        lookbackSeconds: 2 * DAY,
        rollsUpTo: { stream: thingMetrics, parentOf: (part) => ({ id: part['thing_id'] }), childrenEverySeconds: everySeconds },
      },
      pagination: { kind: 'none' },
    });
  const PARTS: Record<string, Answer> = {
    ...TABLE,
    'GET /v1/parts': {
      parts: [
        { id: 11, thing_id: 1 },
        { id: 12, thing_id: 1 },
        { id: 21, thing_id: 2 },
      ],
    },
    'GET /v1/things/1/parts/11/metrics': metricsOf(11),
    'GET /v1/things/1/parts/12/metrics': metricsOf(12),
    'GET /v1/things/2/parts/21/metrics': metricsOf(21),
  };
  const readParts = (mem: MemoryApi, state: unknown, every = DAY) =>
    drain(readStream(mem.context({ range: { start: D0 } }), partMetrics(every), 'incremental', state));
  const partRequests = (mem: MemoryApi): string[] => mem.take().filter((k) => k.includes('/parts/'));

  it('asks nothing under a parent whose own counts did not move, and emits nothing for its children', async () => {
    const mem = memoryApi(PARTS, { now: NOW });
    const one = await readParts(mem, undefined);
    expect(one.records).toHaveLength(33);
    expect(partRequests(mem)).toHaveLength(3);
    const two = await readParts(mem, one.checkpoints.at(-1));
    expect(two.records).toEqual([]);
    expect(partRequests(mem)).toEqual([]);
    // One request per parent, none per child.
    expect(mem.keys.filter((k) => /\/things\/\d\/metrics/.test(k))).toHaveLength(4);
    expect(two.checkpoints.at(-1)).toEqual(one.checkpoints.at(-1));
  });

  it('reads the children of a parent that moved, and only those', async () => {
    const mem = memoryApi(PARTS, { now: NOW });
    const one = await readParts(mem, undefined);
    mem.take();
    const moved = (request: ApiRequest): Answer => {
      const answer = metricsOf(1)(request) as { start: number; series: Record<string, number[]> };
      answer.series['sent'] = (answer.series['sent'] ?? []).map((v, j, all) => (j === all.length - 2 ? v + 1 : v));
      return answer;
    };
    const changed = memoryApi({ ...PARTS, 'GET /v1/things/1/metrics': moved }, { now: NOW });
    await readParts(changed, one.checkpoints.at(-1));
    expect(partRequests(changed)).toEqual([
      `GET /v1/things/1/parts/11/metrics?from=${D0 + 8 * DAY}&to=${NOW - 1}`,
      `GET /v1/things/1/parts/12/metrics?from=${D0 + 8 * DAY}&to=${NOW - 1}`,
    ]);
  });

  it('reads every child again once metrics_full_every_hours has passed, and on every sync when it is 0', async () => {
    const mem = memoryApi(PARTS, { now: NOW });
    const one = await readParts(mem, undefined);
    mem.take();
    const dayLater = memoryApi(PARTS, { now: NOW + DAY });
    await readParts(dayLater, one.checkpoints.at(-1));
    expect(partRequests(dayLater)).toHaveLength(3);
    const always = memoryApi(PARTS, { now: NOW });
    await readParts(always, one.checkpoints.at(-1), 0);
    expect(partRequests(always)).toHaveLength(3);
  });
});
