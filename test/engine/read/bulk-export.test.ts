import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/engine/read-stream.js';
import { defineStream, type BulkExport, type Row, type StreamDef } from '../../../src/engine/stream.js';
import {
  drain,
  fail,
  idsOf,
  inTurn,
  memoryApi,
  type Answer,
  type ContextOptions,
  type DrainOptions,
  type Handler,
  type MemoryApi,
} from '../../helpers/memory-api.js';

/**
 * The export file is fetched from a signed link over real HTTP (no API client), so it is served
 * here from loopback; the API side (search, hydrate, the job) is the in-memory table.
 */
const files = new Map<string, (hit: number) => string>();
const hits = new Map<string, number>();
const storage = createServer((request, response) => {
  const path = request.url ?? '';
  const hit = hits.get(path) ?? 0;
  hits.set(path, hit + 1);
  const file = files.get(path);
  response.statusCode = file ? 200 : 404;
  response.end(file ? file(hit) : '');
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
});
afterAll(async () => {
  storage.closeAllConnections();
  await new Promise((resolve) => storage.close(resolve));
});
beforeEach(() => {
  files.clear();
  hits.clear();
});

const member = (i: number): Row => ({ id: String(i), email: `m${i}@example.com` });
const membersUpTo = (n: number): Row[] => Array.from({ length: n }, (_, i) => member(i + 1));
const csv = (rows: Row[]): string => ['id,email', ...rows.map((r) => `${String(r['id'])},${String(r['email'])}`)].join('\n') + '\n';
const FILE = '/files/7.csv';

const bulkExport = (overrides: Partial<BulkExport> = {}): BulkExport => ({
  choose: async () => ({ use: true, why: 'read by export (test)' }),
  configured: false,
  columns: (exact) => [...new Set(exact.flatMap((r) => Object.keys(r)))].sort(),
  start: (columns) => ({ method: 'POST', path: '/v1/exports', body: { columns } }),
  job: (body) => {
    const job = body['export'] as Row | undefined;
    if (!job) return undefined;
    const status = job['status'] === 'done' || job['status'] === 'failed' ? job['status'] : 'pending';
    return { id: String(job['id']), status, total: Number(job['total'] ?? 0), createdAt: undefined };
  },
  status: (id) => ({ path: `/v1/exports/${id}` }),
  download: (id) => ({ path: `/v1/exports/${id}/download` }),
  url: (body) => (typeof body['url'] === 'string' ? body['url'] : undefined),
  record: (row, columns) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])),
  disagreement: (file, exact) => (file['email'] === exact['email'] ? undefined : `email ${String(file['email'])} against ${String(exact['email'])}`),
  cannotCarry: [],
  timeoutSeconds: 600,
  sampleSize: 50,
  ...overrides,
});

/** Read whole by search (four ids a page) and hydrate; or by an export job, checked against that. */
const membersWith = (bulk: BulkExport): StreamDef =>
  defineStream({
    name: 'members',
    schemaFile: 'snippets.json',
    scope: 'Members',
    resumable: true,
    method: 'POST',
    path: '/v1/members',
    records: 'members',
    primaryKey: [['id']],
    pagination: {
      kind: 'search-then-hydrate',
      search: { path: '/v1/members/search', body: () => ({ filter: 'everyone' }), pageSize: 4, idsFrom: (body) => (body['ids'] as string[]) ?? [] },
      hydrate: { batchSize: 50, request: (ids) => ({ method: 'POST', path: '/v1/members/hydrate', body: { ids } }), records: 'members' },
    },
    bulk,
  });
const members = membersWith(bulkExport());

const searchOf =
  (data: Row[]): Handler =>
  (request) => {
    const offset = Number(request.query?.['start'] ?? 0);
    const limit = Number(request.query?.['limit']);
    return { ids: data.slice(offset, offset + limit).map((r) => r['id']), next: offset + limit < data.length ? String(offset + limit) : '' };
  };
const hydrateOf =
  (data: Row[]): Handler =>
  (request) => {
    const ids = new Set((request.body as { ids: string[] }).ids);
    return { members: data.filter((r) => ids.has(r['id'] as string)) };
  };
const job = (status: string, total: number, id = 7) => ({ export: { id, status, total } });

/** The API of a workspace holding `data`, whose export job 7 is pending once, then done. */
function exportApi(data: Row[], overrides: Record<string, Answer> = {}): MemoryApi {
  return memoryApi({
    'POST /v1/members/search': searchOf(data),
    'POST /v1/members/hydrate': hydrateOf(data),
    'POST /v1/exports': job('pending', 0),
    'GET /v1/exports/7': inTurn(job('pending', 0), job('done', data.length)),
    'GET /v1/exports/7/download': { url: `${base}${FILE}` },
    ...overrides,
  });
}

const read = (api: MemoryApi, state: unknown, def = members, options: ContextOptions = {}, drainOptions: DrainOptions = {}) =>
  drain(readStream(api.context(options), def, 'full_refresh', state), drainOptions);
const exported = (columns: string[], emitted?: number) => ({ export: { job: '7', columns, ...(emitted === undefined ? {} : { emitted }) } });
const COLUMNS = ['email', 'id'];

describe('bulk export', () => {
  it('learns the columns, starts and polls a job, checks the file against the exact path, then emits it', async () => {
    const data = membersUpTo(7);
    files.set(FILE, () => csv(data));
    const api = exportApi(data);
    const out = await read(api, undefined);
    expect(out.chunks).toEqual([{ checkpoint: exported(COLUMNS) }, { checkpoint: exported(COLUMNS, 0) }, { records: data }, { checkpoint: {} }]);
    expect(api.keys).toEqual([
      'POST /v1/members/search?limit=4', // ids the file must hold
      'POST /v1/members/hydrate', // the sample the columns are learned from
      'POST /v1/exports',
      'GET /v1/exports/7',
      'GET /v1/exports/7',
      'GET /v1/exports/7/download', // first pass: check
      'POST /v1/members/hydrate', // the file's sample read the exact way
      'GET /v1/exports/7/download', // second pass: emit
    ]);
    expect(api.clock.slept).toEqual([1_000]);
    expect(hits.get(FILE)).toBe(2);
    expect(api.logs).toContain('INFO members: export 7 checked: 7 rows, 4 searched ids present, 7 sampled records agree');
  });

  it('a failed job falls back to the exact path with a WARN, resumable by page token', async () => {
    const data = membersUpTo(7);
    const api = exportApi(data, { 'GET /v1/exports/7': job('failed', 0) });
    const out = await read(api, undefined);
    expect(out.chunks).toEqual([
      { checkpoint: exported(COLUMNS) },
      { records: data.slice(0, 4) },
      { checkpoint: { resume: { start: '4' } } },
      { records: data.slice(4) },
      { checkpoint: {} },
    ]);
    expect(api.logs).toContain('WARN members: read by search instead of export: the export job 7 failed');
    expect(hits.size).toBe(0);
  });

  it('a job still pending at the timeout falls back, after polls spaced 1, 2, 4, 8, 16 s and the rest of the time', async () => {
    const data = membersUpTo(7);
    const api = exportApi(data, { 'GET /v1/exports/7': job('pending', 0) });
    const out = await read(api, undefined, membersWith(bulkExport({ timeoutSeconds: 60 })));
    expect(api.clock.slept).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 29_000]);
    expect(api.keys.filter((k) => k === 'GET /v1/exports/7')).toHaveLength(7);
    expect(idsOf(out.records)).toEqual(idsOf(data));
    expect(api.logs.some((l) => l.startsWith('WARN members: read by search instead of export: the export job 7 was still pending'))).toBe(true);
  });

  it('a definition that chooses search reads the exact way and never starts a job', async () => {
    const api = exportApi(membersUpTo(7));
    const out = await read(api, undefined, membersWith(bulkExport({ choose: async () => ({ use: false, why: 'read by search (test)' }) })));
    expect(out.records).toHaveLength(7);
    expect(api.keys).not.toContain('POST /v1/exports');
  });

  it('resumes from {export: {job, columns, emitted}}: the same job, no check again, from the next row of the file', async () => {
    const data = membersUpTo(7);
    files.set(FILE, () => csv(data));
    const api = exportApi(data, { 'GET /v1/exports/7': job('done', 7) });
    const out = await read(api, exported(COLUMNS, 3));
    expect(out.chunks).toEqual([{ records: data.slice(3) }, { checkpoint: {} }]);
    // The status read to decide whether the job lives is the status waited on: asked once.
    expect(api.keys).toEqual(['GET /v1/exports/7', 'GET /v1/exports/7/download']);
    expect(api.logs).toContain('INFO members: continuing export job 7 from row 3');
  });

  it('resumes a job started but not yet checked: polls it and checks it before emitting, without starting another', async () => {
    const data = membersUpTo(7);
    files.set(FILE, () => csv(data));
    const api = exportApi(data);
    const out = await read(api, exported(COLUMNS));
    expect(out.chunks).toEqual([{ checkpoint: exported(COLUMNS, 0) }, { records: data }, { checkpoint: {} }]);
    expect(api.keys).not.toContain('POST /v1/exports');
    expect(hits.get(FILE)).toBe(2);
  });

  it('a job of the interrupted sync that is gone is exported again, with a WARN saying the rows emitted will come again', async () => {
    const data = membersUpTo(7);
    files.set('/files/8.csv', () => csv(data));
    const api = exportApi(data, {
      'GET /v1/exports/7': () => fail('NOT_FOUND'),
      'POST /v1/exports': job('pending', 0, 8),
      'GET /v1/exports/8': job('done', 7, 8),
      'GET /v1/exports/8/download': { url: `${base}/files/8.csv` },
    });
    const out = await read(api, exported(COLUMNS, 3));
    expect(out.records).toEqual(data);
    expect(out.checkpoints.at(-1)).toEqual({});
    expect(api.logs).toContain(
      'WARN members: the export job 7 of the interrupted sync is gone; exporting again (the 3 records already emitted will be emitted again)',
    );
  });

  it('checkpoints the rows emitted every `checkpoints.records` records, in batches of 500', async () => {
    const data = membersUpTo(1_200);
    files.set(FILE, () => csv(data));
    const every500 = await read(exportApi(data), undefined, members, { checkpoints: { records: 500, seconds: Infinity } });
    expect(every500.chunks.map((c) => ('records' in c ? c.records.length : c.checkpoint))).toEqual([
      exported(COLUMNS),
      exported(COLUMNS, 0),
      500,
      exported(COLUMNS, 500),
      500,
      exported(COLUMNS, 1_000),
      200,
      {},
    ]);
    const every1000 = await read(exportApi(data), undefined, members, { checkpoints: { records: 1_000, seconds: Infinity } });
    expect(every1000.checkpoints).toEqual([exported(COLUMNS), exported(COLUMNS, 0), exported(COLUMNS, 1_000), {}]);
  });

  it('checkpoints the rows emitted every `checkpoints.seconds` seconds on the injected clock', async () => {
    const data = membersUpTo(1_200);
    files.set(FILE, () => csv(data));
    const api = exportApi(data, { 'GET /v1/exports/7': job('done', 1_200) });
    // Three seconds pass while each chunk is handled: the first batch is out 3 s after the emitting began, the second 6 s.
    const out = await read(api, undefined, members, { checkpoints: { records: Infinity, seconds: 5 } }, { onChunk: () => api.clock.advance(3_000) });
    expect(out.checkpoints).toEqual([exported(COLUMNS), exported(COLUMNS, 0), exported(COLUMNS, 1_000), {}]);
  });

  it('killed after any chunk, a restart continues the same job from the emitted row: no row twice, none lost, no second job', async () => {
    const data = membersUpTo(1_200);
    files.set(FILE, () => csv(data));
    const api = exportApi(data, { 'GET /v1/exports/7': job('done', 1_200) });
    const options = { checkpoints: { records: 500, seconds: Infinity } };
    const whole = await read(api, undefined, members, options);
    api.take();
    for (let n = 1; n < whole.chunks.length; n++) {
      const killed = await read(api, undefined, members, options, { stopAfter: n });
      const state = killed.checkpoints.at(-1);
      api.take();
      const resumed = await read(api, state, members, options);
      const asked = api.take();
      expect(asked, `killed after ${n}`).not.toContain('POST /v1/exports');
      if (state && (state['export'] as Row)['emitted'] !== undefined) {
        expect(
          asked.filter((k) => k.startsWith('POST /v1/members/')),
          `killed after ${n}: checked again`,
        ).toEqual([]);
      }
      expect([...idsOf(killed.covered), ...idsOf(resumed.records)], `killed after ${n}`).toEqual(idsOf(data));
      expect(resumed.checkpoints.at(-1)).toEqual({});
    }
  });

  it('killed after any chunk of a fallen-back read, a restart loses no record', async () => {
    const data = membersUpTo(7);
    const api = exportApi(data, { 'GET /v1/exports/7': job('failed', 0) });
    const whole = await read(api, undefined);
    for (let n = 1; n < whole.chunks.length; n++) {
      const killed = await read(api, undefined, members, {}, { stopAfter: n });
      api.take();
      const resumed = await read(api, killed.checkpoints.at(-1));
      const got = new Set(idsOf([...killed.covered, ...resumed.records]));
      expect(
        idsOf(data).filter((id) => !got.has(id)),
        `killed after ${n}`,
      ).toEqual([]);
      // Past its page token the exact path goes on there; it does not try the export again.
      if (killed.checkpoints.at(-1)?.['resume']) expect(api.take()).not.toContain('POST /v1/exports');
    }
  });
});

describe('an export file that cannot be trusted', () => {
  it('fewer rows than the job reported: falls back before emitting one row of it', async () => {
    const data = membersUpTo(7);
    files.set(FILE, () => csv(data.slice(0, 6)));
    const api = exportApi(data);
    const out = await read(api, undefined);
    expect(out.records).toEqual(data);
    expect(hits.get(FILE)).toBe(1);
    expect(api.logs).toContain('WARN members: read by search instead of export: the export file has 6 rows where the job reported 7');
  });

  it('a row that disagrees with the exact path: falls back, naming the record', async () => {
    const data = membersUpTo(7);
    files.set(FILE, () => csv(data.map((r) => (r['id'] === '3' ? { ...r, email: 'stale@example.com' } : r))));
    const api = exportApi(data);
    const out = await read(api, undefined);
    expect(out.records).toEqual(data);
    expect(api.logs).toContain(
      'WARN members: read by search instead of export: the export disagrees with the exact read for 3: email stale@example.com against m3@example.com',
    );
  });

  it('a row without its key: falls back on the first pass', async () => {
    const data = membersUpTo(7);
    files.set(FILE, () => csv(data).replace('\n3,', '\n,'));
    const api = exportApi(data);
    const out = await read(api, undefined);
    expect(out.records).toEqual(data);
    expect(api.logs.some((l) => l.startsWith('WARN members: read by search instead of export: the export file could not be read: row 3 has no id'))).toBe(true);
  });

  it('a file that changes between the check and the emitting fails with EXPORT_UNREADABLE, its STATE still at the last row emitted', async () => {
    const data = membersUpTo(7);
    files.set(FILE, (hit) => csv(hit === 0 ? data : data.slice(0, 6)));
    const out = await read(exportApi(data), undefined, members, {}, { keepError: true });
    expect(out.error).toMatchObject({ code: 'EXPORT_UNREADABLE', stream: 'members' });
    expect(out.checkpoints).toEqual([exported(COLUMNS), exported(COLUMNS, 0)]);
  });
});
