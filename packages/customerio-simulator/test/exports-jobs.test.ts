import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { csvLine } from '../src/data/export-jobs.js';
import type { CustomerRecord, ExportRecord, ServedCustomer, Simulator } from '../src/index.js';
import { AUTH, call, routeError, start } from './helpers.js';

const EVERYONE = { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] };
const PRO_OR_SEGMENT = { or: [{ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }, { segment: { id: 2 } }] };

/** RFC 4180: quoted cells may hold commas, doubled quotes, CR and LF; records end with CRLF or LF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

async function post(sim: Simulator, body: unknown): Promise<ExportRecord> {
  const res = await call<{ export: ExportRecord }>(sim, '/v1/exports/customers', { body });
  expect(res.status, res.text).toBe(200);
  return res.json.export;
}

async function waitFor(sim: Simulator, id: number, status: 'done' | 'failed' = 'done', timeoutMs = 10_000): Promise<ExportRecord> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await call<{ export: ExportRecord }>(sim, `/v1/exports/${id}`);
    expect(res.status).toBe(200);
    if (res.json.export.status !== 'pending') {
      expect(res.json.export.status).toBe(status);
      return res.json.export;
    }
    if (Date.now() > until) throw new Error(`export ${id} still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function downloadUrl(sim: Simulator, id: number): Promise<string> {
  const res = await call<{ url: string }>(sim, `/v1/exports/${id}/download`);
  expect(res.status, res.text).toBe(200);
  expect(Object.keys(res.json)).toEqual(['url']);
  return res.json.url;
}

/** The file's bytes, fetched as a careful client does: no Authorization header. */
async function fetchFile(url: string): Promise<Buffer> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-encoding')).toBeNull();
  return Buffer.from(await res.arrayBuffer());
}

function unwrap(served: ServedCustomer): CustomerRecord {
  return 'customer' in served ? served.customer : served;
}

describe('POST /v1/exports/customers → GET /v1/exports/{id} → /download (§5.9)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start({ exportJobMinSeconds: 0.6 });
  });
  afterAll(() => sim.close());

  test('a job is pending with total 0, then done with total = the rows; it joins GET /v1/exports and the truth', async () => {
    const before = sim.truth.exports();
    const created = await post(sim, { filters: PRO_OR_SEGMENT, attributes: ['plan'] });
    expect(Object.keys(created)).toEqual([
      'id',
      'user_id',
      'user_email',
      'total',
      'deduplicate_id',
      'type',
      'failed',
      'status',
      'description',
      'downloads',
      'created_at',
      'updated_at',
    ]);
    expect(created).toMatchObject({ total: 0, type: 'customers', failed: false, status: 'pending', downloads: 0, created_at: sim.now() });
    expect(created.deduplicate_id).toBe(`${created.id}:${created.updated_at}`);
    expect(before.map((e) => e.id)).not.toContain(created.id);
    expect((await call(sim, `/v1/exports/${created.id}`)).json).toEqual({ export: created });
    const early = await call(sim, `/v1/exports/${created.id}/download`);
    expect(early.status).toBe(404);
    expect(early.json).toEqual(routeError(`/v1/exports/${created.id}/download`, 404));

    const done = await waitFor(sim, created.id);
    const rows = [...sim.truth.exportRows(PRO_OR_SEGMENT, ['plan'])];
    expect(rows.length).toBeGreaterThan(0);
    expect(done).toMatchObject({ id: created.id, status: 'done', failed: false, total: rows.length });
    expect(done.deduplicate_id).toBe(`${done.id}:${done.updated_at}`);
    expect(sim.truth.exportJob(created.id)).toEqual(done);

    const list = await call<{ exports: ExportRecord[] }>(sim, '/v1/exports');
    expect(list.json.exports).toEqual(sim.truth.exports());
    expect(list.json.exports.at(-1)).toEqual(done);
    expect(sim.truth.exports().slice(0, before.length)).toEqual(before);
  });

  test('filters is required and validated (400 errors envelope); attributes must be names', async () => {
    const path = '/v1/exports/customers';
    for (const body of [
      {},
      { attributes: ['plan'] },
      { filters: null },
      { filters: { and: [] } },
      { filters: { plan: 'pro' } },
      { filters: { attribute: { field: 'plan', operator: 'gt', value: 'a' } } },
      { filters: { segment: { id: 'two' } } },
      { filters: EVERYONE, attributes: 'plan' },
      { filters: EVERYONE, attributes: [3] },
      '[1]',
      'not json',
    ]) {
      const res = await call(sim, path, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toEqual(routeError(path, 400));
    }
    expect((await call(sim, path, { body: {} })).json).toEqual(routeError(path, 400, 'The request was malformed: filters is required'));
  });

  test('unknown ids are 404 on the export and its download; seeded past exports have no file (404)', async () => {
    for (const path of ['/v1/exports/999993', '/v1/exports/999993/download', '/v1/exports/101/download']) {
      const res = await call(sim, path);
      expect(res.status, path).toBe(404);
      expect(res.json).toEqual(routeError(path, 404));
    }
    const seeded = sim.truth.exports()[0];
    if (seeded) expect((await call(sim, `/v1/exports/${seeded.id}/download`)).status).toBe(404);
    expect((await call(sim, '/v1/exports/abc/download')).status).toBe(400);
  });

  test('the download URL points to a second loopback host; the plain CSV is exactly the truth, values as the hydrated customers', async () => {
    const attributes = ['plan', 'country', 'created_at', 'no_such_attribute', 'email'];
    const job = await post(sim, { filters: PRO_OR_SEGMENT, attributes });
    await waitFor(sim, job.id);
    const url = new URL(await downloadUrl(sim, job.id));
    const api = new URL(sim.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).not.toBe(api.port);
    expect(url.origin).toBe(sim.downloadUrl);
    expect((await call<{ export: ExportRecord }>(sim, `/v1/exports/${job.id}`)).json.export.downloads).toBe(1);

    const bytes = await fetchFile(url.href);
    expect(bytes.subarray(0, 2).toString('hex')).not.toBe('1f8b');
    const text = bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(['cio_id', 'id', 'email', ...attributes]);
    expect(header).toEqual(sim.truth.exportColumns(attributes));
    expect(rows).toEqual([...sim.truth.exportRows(PRO_OR_SEGMENT, attributes)]);
    expect(rows).toEqual([...(sim.truth.exportJobRows(job.id) ?? [])]);
    expect(rows.map((r) => r[0])).toEqual([...sim.truth.exportedCioIds(PRO_OR_SEGMENT)]);
    expect(rows.length).toBe((await waitFor(sim, job.id)).total);

    // The tap will sample-check the file against the exact path: every value must agree.
    const sample = rows.slice(0, 100);
    const hydrated = await call<{ customers: ServedCustomer[] }>(sim, '/v1/customers/attributes?id_type=cio_id', {
      body: { ids: sample.map((r) => r[0]) },
    });
    const byCio = new Map(hydrated.json.customers.map(unwrap).map((c) => [c.identifiers.cio_id, c]));
    expect(byCio.size).toBe(sample.length);
    let emptyIds = 0;
    for (const [cio, id, email, ...values] of sample) {
      const c = byCio.get(cio as string) as CustomerRecord;
      expect(id).toBe(c.id ?? '');
      expect(email).toBe(c.identifiers.email ?? '');
      if (id === '') emptyIds++;
      expect(values).toEqual(attributes.map((a) => c.attributes[a] ?? ''));
    }
    expect(values(sample, 3 + attributes.indexOf('no_such_attribute'))).toEqual(new Set(['']));
    expect(emptyIds + sample.filter((r) => r[2] === '').length).toBeGreaterThan(0);
  });

  test('without attributes the file has the three identity columns; a filter that matches nobody is a header only', async () => {
    const nobody = { attribute: { field: 'plan', operator: 'eq', value: 'no-such-plan' } };
    const a = await post(sim, { filters: EVERYONE });
    const b = await post(sim, { filters: nobody, attributes: [] });
    expect((await waitFor(sim, a.id)).total).toBe(sim.truth.peopleCount());
    expect((await waitFor(sim, b.id)).total).toBe(0);
    const all = parseCsv((await fetchFile(await downloadUrl(sim, a.id))).toString('utf8'));
    expect(all[0]).toEqual(['cio_id', 'id', 'email']);
    expect(all.slice(1).map((r) => r[0])).toEqual([...sim.truth.peopleCioIds()]);
    expect(parseCsv((await fetchFile(await downloadUrl(sim, b.id))).toString('utf8'))).toEqual([['cio_id', 'id', 'email']]);
  });

  test('CSV quoting: commas, quotes and line breaks in cells', async () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', 'cr\rlf', ''])).toBe('a,"b,c","say ""hi""","two\nlines","cr\rlf",\r\n');
    const odd = ['a,b', 'say "hi"', 'multi\nline'];
    const job = await post(sim, { filters: { segment: { id: 2 } }, attributes: odd });
    await waitFor(sim, job.id);
    const [header, ...rows] = parseCsv((await fetchFile(await downloadUrl(sim, job.id))).toString('utf8'));
    expect(header).toEqual(['cio_id', 'id', 'email', ...odd]);
    expect(rows).toEqual([...sim.truth.exportRows({ segment: { id: 2 } }, odd)]);
    for (const r of rows) expect(r).toHaveLength(6);
  });

  test('a tampered URL is 403; a request with an Authorization header is counted and refused', async () => {
    const job = await post(sim, { filters: { segment: { id: 2 } } });
    await waitFor(sim, job.id);
    const url = await downloadUrl(sim, job.id);
    const before = sim.downloadStats();
    const sig = /Signature=([0-9a-f]+)/.exec(url)?.[1] as string;
    const flipped = url.replace(sig, `${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}`);
    const otherJob = url.replace(`/exports/${job.id}/`, `/exports/${job.id - 7}/`);
    const later = url.replace(/Expires=([0-9]+)/, (_, e: string) => `Expires=${Number(e) + 60_000}`);
    for (const bad of [flipped, otherJob, later, url.replace(/&Signature=.*$/, '')]) {
      const res = await fetch(bad);
      expect(res.status, bad).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/xml');
      expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    }
    const withKey = await fetch(url, { headers: AUTH });
    expect(withKey.status).toBe(400);
    await withKey.arrayBuffer();
    expect((await fetch(url)).status).toBe(200);
    const after = sim.downloadStats();
    expect(after.requests - before.requests).toBe(6);
    expect(after.withAuthorization - before.withAuthorization).toBe(1);
    expect(after.rejected - before.rejected).toBe(5);
    // The same counters for a simulator in another process.
    const control = (await (await fetch(`${sim.url}/__sim/downloads`)).json()) as Record<string, number>;
    expect(control.withAuthorization).toBe(after.withAuthorization);
    // The API host never serves the file.
    expect((await fetch(url.replace(sim.downloadUrl, sim.url), { headers: AUTH })).status).toBe(404);
  });

  test('advancing the workspace clock also moves jobs on; updated_at never passes the workspace clock', async () => {
    const s = await start({ exportJobMinSeconds: 600 });
    try {
      const job = await post(s, { filters: EVERYONE });
      await new Promise((r) => setTimeout(r, 200));
      expect(s.truth.exportJob(job.id)?.status).toBe('pending');
      s.advance(300);
      expect((await call<{ export: ExportRecord }>(s, `/v1/exports/${job.id}`)).json.export.status).toBe('pending');
      s.advance(300);
      const done = (await call<{ export: ExportRecord }>(s, `/v1/exports/${job.id}`)).json.export;
      expect(done).toMatchObject({ status: 'done', total: s.truth.peopleCount(), updated_at: job.created_at + 600 });
      expect(done.deduplicate_id).toBe(`${job.id}:${job.created_at + 600}`);
      s.advance(3600);
      expect(s.truth.exportJob(job.id)).toEqual(done);
    } finally {
      await s.close();
    }
  });
});

function values(rows: string[][], column: number): Set<string> {
  return new Set(rows.map((r) => r[column] as string));
}

describe('export options', () => {
  test('exportGzip: true serves gzip (magic bytes only, no header says so) that parses to exactly the truth', async () => {
    const s = await start({ exportJobMinSeconds: 0, exportGzip: true });
    try {
      const job = await post(s, { filters: PRO_OR_SEGMENT, attributes: ['plan', 'lifetime_value'] });
      await waitFor(s, job.id);
      const res = await fetch(await downloadUrl(s, job.id));
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-encoding')).toBeNull();
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 2).toString('hex')).toBe('1f8b');
      const [header, ...rows] = parseCsv(gunzipSync(bytes).toString('utf8'));
      expect(header).toEqual(['cio_id', 'id', 'email', 'plan', 'lifetime_value']);
      expect(rows).toEqual([...s.truth.exportRows(PRO_OR_SEGMENT, ['plan', 'lifetime_value'])]);
    } finally {
      await s.close();
    }
  });

  test("exportGzip: 'alternate' gzips every second job", async () => {
    const s = await start({ exportJobMinSeconds: 0, exportGzip: 'alternate' });
    try {
      const magic: string[] = [];
      for (let i = 0; i < 3; i++) {
        const job = await post(s, { filters: { segment: { id: 2 } } });
        await waitFor(s, job.id);
        magic.push((await fetchFile(await downloadUrl(s, job.id))).subarray(0, 2).toString('hex'));
      }
      expect(magic.map((m) => m === '1f8b')).toEqual([false, true, false]);
    } finally {
      await s.close();
    }
  });

  test('exportFailures: a failing job ends failed with total 0 and has no download; the share is spread evenly', async () => {
    const s = await start({ exportJobMinSeconds: 0.2, exportFailures: 0.5 });
    try {
      const first = await post(s, { filters: EVERYONE });
      const second = await post(s, { filters: EVERYONE });
      const ok = await waitFor(s, first.id, 'done');
      const failed = await waitFor(s, second.id, 'failed');
      expect(ok.total).toBe(s.truth.peopleCount());
      expect(failed).toMatchObject({ status: 'failed', failed: true, total: 0, downloads: 0 });
      expect(failed.deduplicate_id).toBe(`${failed.id}:${failed.updated_at}`);
      const path = `/v1/exports/${second.id}/download`;
      const res = await call(s, path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual(routeError(path, 404));
      expect(s.truth.exports().slice(-2)).toEqual([ok, failed]);
    } finally {
      await s.close();
    }
  });

  test('exportUrlTtlSeconds: an expired URL is 403', async () => {
    const s = await start({ exportJobMinSeconds: 0, exportUrlTtlSeconds: 1 });
    try {
      const job = await post(s, { filters: { segment: { id: 2 } } });
      await waitFor(s, job.id);
      const url = await downloadUrl(s, job.id);
      expect((await fetch(url)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('<Message>Request has expired</Message>');
      // A fresh URL works again.
      expect((await fetch(await downloadUrl(s, job.id))).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  test('bad export options are rejected', async () => {
    await expect(start({ exportGzip: 'yes' as never })).rejects.toThrow(/exportGzip/);
    await expect(start({ exportFailures: 2 })).rejects.toThrow(/exportFailures/);
    await expect(start({ exportUrlTtlSeconds: -1 })).rejects.toThrow(/exportUrlTtlSeconds/);
    await expect(start({ exportJobRowsPerSecond: 0 })).rejects.toThrow(/exportJobRowsPerSecond/);
  });
});

describe('a large export (200,000 people)', () => {
  test('takes time in proportion to its size and streams with backpressure, by index, with flat memory', async () => {
    const s = await start({ sizes: { people: 200_000 }, exportJobMinSeconds: 0 });
    try {
      const attributes = ['plan', 'country'];
      const job = await post(s, { filters: EVERYONE, attributes });
      // 1 s per 100,000 people: two seconds.
      expect((await call<{ export: ExportRecord }>(s, `/v1/exports/${job.id}`)).json.export.status).toBe('pending');
      const done = await waitFor(s, job.id, 'done', 20_000);
      expect(done.total).toBe(200_000);
      const url = new URL(await downloadUrl(s, job.id));

      const rssBefore = process.memoryUsage().rss;
      let lines = 0;
      let bytes = 0;
      let last = '';
      await new Promise<void>((resolve, reject) => {
        const req = http.get(url, (res) => {
          expect(res.statusCode).toBe(200);
          res.pause();
          // A client that does not read: once the loopback socket buffers (a few MB) are full,
          // the host stops generating, far short of the file. Wait until the count holds still.
          void (async () => {
            let before = -1;
            for (let i = 0; i < 40 && s.downloadStats().rowsWritten !== before; i++) {
              before = s.downloadStats().rowsWritten;
              await new Promise((r) => setTimeout(r, 300));
            }
            expect(s.downloadStats().rowsWritten).toBe(before);
            expect(before).toBeLessThan(100_000);
          })().then(
            () => {
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => {
                bytes += chunk.length;
                const text = last + chunk;
                const parts = text.split('\r\n');
                last = parts.pop() ?? '';
                lines += parts.length;
              });
              res.on('end', resolve);
              res.resume();
            },
            (e: unknown) => {
              res.destroy();
              reject(e as Error);
            },
          );
        });
        req.on('error', reject);
      });
      const grown = process.memoryUsage().rss - rssBefore;
      expect(last).toBe('');
      expect(lines).toBe(200_001);
      expect(bytes).toBeGreaterThan(5_000_000);
      expect(s.downloadStats()).toMatchObject({ served: 1, completed: 1, rowsWritten: 200_000 });
      // Generous: the file is ~8 MB of text; a host that built it in memory would hold it several times over.
      expect(grown).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await s.close();
    }
  }, 60_000);
});
