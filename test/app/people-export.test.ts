import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, REPO_ROOT, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { fileProxy, type FileDamage } from '../helpers/file-proxy.js';
import { recordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';
import { strictAjv } from '../helpers/strict-ajv.js';
import type { SimulatorOptions } from 'customerio-simulator';

type Row = Record<string, any>;

const PEOPLE = 2500;
const peopleSchema = strictAjv().compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'people.json'), 'utf8')) as object);

/** A workspace of PEOPLE people and a config for it, plus catalogs selecting people in both protocols. */
async function workspace(options: SimulatorOptions = {}, config: Row = {}): Promise<TestWorkspace & { airbyte: string; singer: string }> {
  const ws = await testWorkspace({ sizes: { people: PEOPLE }, ...options }, { people_source: 'export', ...config });
  const airbyte = await configuredCatalog(ws.configPath, { people: 'full_refresh' });
  const discovered = JSON.parse((await runCli(['--config', ws.configPath, '--discover'])).stdout) as Row;
  const singer = {
    streams: discovered['streams']
      .filter((s: Row) => s['tap_stream_id'] === 'people')
      .map((s: Row) => ({
        ...s,
        metadata: s['metadata'].map((m: Row) => (m['breadcrumb'].length > 0 ? m : { ...m, metadata: { ...m['metadata'], selected: true } })),
      })),
  };
  const files = writeFiles({ 'a.json': airbyte, 's.json': singer });
  return { ...ws, airbyte: files['a.json'] as string, singer: files['s.json'] as string };
}

/** The state of the read by export or search, nested in the people stream's state while a full read is under way. */
function inner(state: Row | undefined): Row | undefined {
  return state?.['full']?.['state'];
}

function withConfig(ws: TestWorkspace, extra: Row): string {
  return writeFiles({ 'c.json': { ...ws.config, ...extra } })['c.json'] as string;
}

function read(ws: { airbyte: string }, configPath: string, state?: unknown): Promise<CliResult> {
  const args = ['read', '--config', configPath, '--catalog', ws.airbyte];
  if (state !== undefined) args.push('--state', writeFiles({ 'state.json': state })['state.json'] as string);
  return runCli(args, { timeoutMs: 180_000 });
}

function logs(result: CliResult, level: string): string[] {
  return ofType(result.messages, 'LOG')
    .filter((m) => m['log']['level'] === level)
    .map((m) => m['log']['message'] as string);
}

/** The people the exact path would emit, by cio_id, from the simulator's truth. */
function truthCioIds(ws: TestWorkspace): string[] {
  return [...ws.sim.truth.peopleCioIds()].sort();
}

/** What both paths share: identifiers and attributes (an export carries nothing else). */
function comparable(person: Row): Row {
  const ids = person['identifiers'] ?? {};
  return {
    cio_id: person['cio_id'],
    id: person['id'] ?? null,
    identifiers: { cio_id: ids['cio_id'] ?? null, id: ids['id'] ?? null, email: ids['email'] ?? null },
    attributes: person['attributes'],
  };
}

function exactPerson(ws: TestWorkspace, cioId: string): Row {
  const served = ws.sim.truth.customer(cioId) as Row;
  const person = (served['customer'] ?? served) as Row;
  return comparable({ cio_id: cioId, ...person });
}

function expectAllPeople(ws: TestWorkspace, people: Row[]): void {
  const ids = people.map((p) => p['cio_id'] as string);
  expect(new Set(ids).size, 'each person once').toBe(ids.length);
  expect([...ids].sort()).toEqual(truthCioIds(ws));
  for (const person of people) expect(peopleSchema(person), JSON.stringify(peopleSchema.errors)).toBe(true);
}

function exportRequests(ws: TestWorkspace): { start: number; poll: number; link: number; search: number; hydrate: number; total: number } {
  const byPath = ws.sim.stats().byPath;
  const count = (pattern: RegExp): number => Object.entries(byPath).reduce((sum, [path, n]) => sum + (pattern.test(path) ? n : 0), 0);
  return {
    start: count(/^\/v1\/exports\/customers$/),
    poll: count(/^\/v1\/exports\/:\w+$/),
    link: count(/^\/v1\/exports\/:\w+\/download$/),
    search: count(/^\/v1\/customers$/),
    hydrate: count(/^\/v1\/customers\/attributes$/),
    total: ws.sim.stats().requests,
  };
}

describe('people by export (people_source: export)', () => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  beforeAll(async () => {
    ws = await workspace();
  }, 60_000);
  afterAll(async () => ws.close());

  it('Airbyte: every person once, as the exact path has them, in a few requests, without the key reaching the download host', async () => {
    ws.sim.resetStats();
    const before = ws.sim.downloadStats();
    const result = await read(ws, ws.configPath);
    expect(result.code, result.stderr).toBe(0);
    const people = recordsOf(result.messages, 'people');
    expectAllPeople(ws, people);
    for (const person of people.slice(0, 300)) expect(comparable(person)).toEqual(exactPerson(ws, person['cio_id']));
    expect(logs(result, 'WARN').filter((m) => m.includes('instead of export'))).toEqual([]);
    const requests = exportRequests(ws);
    // One search page, two hydrates to learn the columns and two to check, one job, its polls,
    // one link per pass over the file.
    expect(requests).toMatchObject({ start: 1, search: 1, hydrate: 4, link: 2 });
    expect(requests.total).toBeLessThan(20);
    const after = ws.sim.downloadStats();
    expect(after.requests - before.requests).toBe(2);
    expect(after.withAuthorization).toBe(0);
    // A finished read leaves the bookmark of the change feed (the export's progress is gone).
    const final = ofType(result.messages, 'STATE').at(-1)?.['state']['stream']['stream_state'];
    expect(final).toMatchObject({ changed_at: expect.any(Number), boundary: [] });
    expect(final).not.toHaveProperty('full');
  }, 120_000);

  it('Singer: the same people, and the job and rows checkpointed on the way', async () => {
    const result = await runCli(['--config', withConfig(ws, { state_every_records: 500 }), '--catalog', ws.singer], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expectAllPeople(ws, recordsOf(result.messages, 'people'));
    const states = ofType(result.messages, 'STATE').map((m) => inner(m['value']['bookmarks']?.['people']));
    const rows = states.flatMap((s) => (s?.['export']?.['emitted'] === undefined ? [] : [s['export']['emitted'] as number]));
    expect(rows[0]).toBe(0);
    expect(rows.length).toBeGreaterThan(3);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    expect(ws.sim.downloadStats().withAuthorization).toBe(0);
  }, 120_000);

  it('people_export_attributes: only those columns, and no people are learned from', async () => {
    ws.sim.resetStats();
    const result = await read(ws, withConfig(ws, { people_export_attributes: ['plan', 'country', 'email'] }));
    expect(result.code, result.stderr).toBe(0);
    const people = recordsOf(result.messages, 'people');
    expectAllPeople(ws, people);
    for (const person of people.slice(0, 100)) {
      const exact = exactPerson(ws, person['cio_id']);
      const wanted = Object.fromEntries(
        ['country', 'email', 'plan'].flatMap((k) => (exact['attributes'][k] === undefined ? [] : [[k, exact['attributes'][k]]])),
      );
      expect(person['attributes']).toEqual(wanted);
    }
    // The check's sample only: nothing hydrated to learn columns.
    expect(exportRequests(ws).hydrate).toBe(2);
  }, 120_000);

  it('a killed read continues from the last row it checkpointed, on the same job', async () => {
    const config = withConfig(ws, { state_every_records: 500 });
    let seen = 0;
    const killed = await runCli(['read', '--config', config, '--catalog', ws.airbyte], {
      onMessage: (message, child) => {
        if (message['type'] === 'RECORD' && ++seen === 1200) child.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const last = ofType(killed.messages, 'STATE').at(-1);
    const saved = inner(last?.['state']['stream']['stream_state'])?.['export'];
    expect(saved?.['emitted']).toBeGreaterThan(0);
    const before = recordsOf(killed.messages, 'people').slice(0, saved['emitted']);
    ws.sim.resetStats();
    const resumed = await read(ws, config, [last?.['state']]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(logs(resumed, 'INFO').some((m) => m.includes(`continuing export job ${saved['job']} from row ${saved['emitted']}`))).toBe(true);
    const after = recordsOf(resumed.messages, 'people');
    expect(after.length).toBe(PEOPLE - saved['emitted']);
    expectAllPeople(ws, [...before, ...after]);
    // No new job, no check again: the status, one link, the file.
    expect(exportRequests(ws)).toMatchObject({ start: 0, search: 0, hydrate: 0, link: 1 });
  }, 120_000);

  it('a read killed while the job runs polls the same job on restart, and checks it again', async () => {
    const killed = await runCli(['read', '--config', ws.configPath, '--catalog', ws.airbyte], {
      onMessage: (message, child) => {
        if (message['type'] === 'STATE' && inner(message['state']['stream']['stream_state'])?.['export']) child.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const last = ofType(killed.messages, 'STATE').at(-1);
    const saved = inner(last?.['state']['stream']['stream_state'])?.['export'];
    expect(saved?.['job']).toBeDefined();
    expect(saved?.['emitted']).toBeUndefined();
    expect(recordsOf(killed.messages, 'people')).toEqual([]);
    ws.sim.resetStats();
    const resumed = await read(ws, ws.configPath, [last?.['state']]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(logs(resumed, 'INFO').some((m) => m.includes(`continuing export job ${saved['job']}`))).toBe(true);
    expectAllPeople(ws, recordsOf(resumed.messages, 'people'));
    // No second job; the check runs again: one search page, two hydrates, two links.
    expect(exportRequests(ws)).toMatchObject({ start: 0, search: 1, hydrate: 2, link: 2 });
  }, 120_000);

  it('a state naming a job that is gone exports again, and says so', async () => {
    ws.sim.resetStats();
    const state = [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'people' }, stream_state: { export: { job: 999_993, columns: ['plan'], emitted: 10 } } } },
    ];
    const result = await read(ws, ws.configPath, state);
    expect(result.code, result.stderr).toBe(0);
    expect(logs(result, 'WARN').some((m) => m.includes('999993') && m.includes('gone') && m.includes('exporting again'))).toBe(true);
    expectAllPeople(ws, recordsOf(result.messages, 'people'));
    expect(exportRequests(ws).start).toBe(1);
  }, 120_000);

  it('a state of an interrupted search goes on with the search', async () => {
    ws.sim.resetStats();
    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'people' }, stream_state: {} } }];
    const first = await read(ws, withConfig(ws, { people_source: 'search', state_every_records: 500 }));
    const resumeState = ofType(first.messages, 'STATE').find((m) => inner(m['state']['stream']['stream_state'])?.['resume']);
    expect(resumeState, 'the search checkpoints a page').toBeDefined();
    ws.sim.resetStats();
    const result = await read(ws, ws.configPath, [resumeState?.['state'] ?? state[0]]);
    expect(result.code, result.stderr).toBe(0);
    expect(exportRequests(ws).start).toBe(0);
    expect(recordsOf(result.messages, 'people').length).toBeGreaterThan(0);
  }, 120_000);
});

describe('people_source: auto', () => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  beforeAll(async () => {
    ws = await workspace({}, { people_source: 'auto' });
  }, 60_000);
  afterAll(async () => ws.close());

  it.each([
    [PEOPLE - 1, 'export', 1],
    [PEOPLE, 'search', 0],
  ] as const)(
    'threshold %s: read by %s',
    async (threshold, path, jobs) => {
      ws.sim.resetStats();
      const result = await read(ws, withConfig(ws, { people_export_threshold: threshold }));
      expect(result.code, result.stderr).toBe(0);
      expect(logs(result, 'INFO').some((m) => m.includes(`read by ${path}: the workspace has ${PEOPLE} people`))).toBe(true);
      expect(exportRequests(ws).start).toBe(jobs);
      // The counts are asked once, for the row estimate and the choice together.
      expect(ws.sim.stats().byPath['/v1/workspaces']).toBe(1);
      expect(ofType(result.messages, 'TRACE').some((m) => m['trace']['type'] === 'ESTIMATE')).toBe(true);
      expectAllPeople(ws, recordsOf(result.messages, 'people'));
    },
    120_000,
  );
});

describe('files: gzip, an expired link, a dropped connection', () => {
  it('a gzip file (told by its magic bytes) gives the same people', async () => {
    const ws = await workspace({ exportGzip: true });
    try {
      const result = await read(ws, ws.configPath);
      expect(result.code, result.stderr).toBe(0);
      expect(logs(result, 'WARN')).toEqual([]);
      expectAllPeople(ws, recordsOf(result.messages, 'people'));
      expect(ws.sim.downloadStats().withAuthorization).toBe(0);
    } finally {
      await ws.close();
    }
  }, 120_000);

  it('a link that expired on its way is asked for again', async () => {
    const ws = await workspace({ exportUrlTtlSeconds: 1 });
    let held = 0;
    const proxy = await recordingProxy(ws.sim.url, { holdMs: (r) => (r.url.pathname.endsWith('/download') && held++ === 0 ? 1600 : 0) });
    try {
      const result = await read(ws, withConfig(ws, { base_url: proxy.url }));
      expect(result.code, result.stderr).toBe(0);
      expectAllPeople(ws, recordsOf(result.messages, 'people'));
      expect(logs(result, 'WARN')).toEqual([]);
      // Two passes, and the first link once more.
      expect(proxy.requests.filter((r) => r.url.pathname.endsWith('/download'))).toHaveLength(3);
      expect(ws.sim.downloadStats().rejected).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
      await ws.close();
    }
  }, 120_000);

  it('a connection dropped mid-file is opened again and continues where it broke', async () => {
    const { ws, api, files } = await damagedWorkspace({ kind: 'reset-once', bytes: 60_000 });
    try {
      const result = await read(ws, withConfig(ws, { base_url: api.url }));
      expect(result.code, result.stderr).toBe(0);
      expect(
        logs(result, 'WARN').some((m) => m.includes('opening it again')),
        [...logs(result, 'WARN'), ...logs(result, 'INFO')].join('\n'),
      ).toBe(true);
      expectAllPeople(ws, recordsOf(result.messages, 'people'));
      expect(files.requests).toHaveLength(3);
    } finally {
      await Promise.all([api.close(), files.close()]);
      await ws.close();
    }
  }, 120_000);
});

/** The API behind a proxy that points every download link at a file proxy damaging the file. */
async function damagedWorkspace(
  damage: FileDamage,
  options: SimulatorOptions = {},
): Promise<{ ws: Awaited<ReturnType<typeof workspace>>; api: RecordingProxy; files: RecordingProxy }> {
  const ws = await workspace(options);
  const files = await fileProxy(ws.sim.downloadUrl, damage);
  const api = await recordingProxy(ws.sim.url, {
    rewriteJson: {
      when: (r) => r.url.pathname.endsWith('/download'),
      rewrite: (body) => ({ ...body, url: String(body['url']).replace(ws.sim.downloadUrl, files.url) }),
    },
  });
  return { ws, api, files };
}

describe('every reason to read by search instead, with a WARN and each person once', () => {
  async function expectFallback(ws: TestWorkspace & { airbyte: string }, configPath: string, reason: RegExp): Promise<CliResult> {
    ws.sim.resetStats();
    const result = await read(ws, configPath);
    expect(result.code, result.stderr).toBe(0);
    const warnings = logs(result, 'WARN').filter((m) => m.includes('read by search instead of export'));
    expect(warnings, logs(result, 'WARN').join('\n')).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expectAllPeople(ws, recordsOf(result.messages, 'people'));
    expect(ws.sim.stats().byPath['/v1/customers/attributes']).toBeGreaterThanOrEqual(PEOPLE / 100);
    return result;
  }

  it('a failed job', async () => {
    const ws = await workspace({ exportFailures: 1 });
    try {
      await expectFallback(ws, ws.configPath, /export job \d+ failed/);
    } finally {
      await ws.close();
    }
  }, 120_000);

  it('a key the export refuses (403 on the start)', async () => {
    const ws = await workspace();
    try {
      ws.sim.setFaults([{ path: '^/v1/exports/customers$', kind: 'status', status: 403 }]);
      await expectFallback(ws, ws.configPath, /refused to start the export/);
    } finally {
      await ws.close();
    }
  }, 120_000);

  it('a job that outlives export_timeout_minutes', async () => {
    const ws = await workspace({ exportJobMinSeconds: 3600 });
    try {
      await expectFallback(ws, withConfig(ws, { export_timeout_minutes: 1 }), /still pending after 1 minutes \(export_timeout_minutes\)/);
      // Polled with a growing pause, not every second.
      expect(exportRequests(ws).poll).toBeLessThan(12);
    } finally {
      await ws.close();
    }
  }, 150_000);

  it('a file that disagrees with the exact read', async () => {
    const { ws, api, files } = await damagedWorkspace({ kind: 'replace', from: ',free\r', to: ',FREE\r' });
    try {
      await expectFallback(
        ws,
        withConfig(ws, { base_url: api.url }),
        /disagrees with the exact read for \w+: attribute "plan" is "FREE" in the export and "free" the exact way/,
      );
      expect(files.requests).toHaveLength(1);
    } finally {
      await Promise.all([api.close(), files.close()]);
      await ws.close();
    }
  }, 120_000);

  it('a truncated file', async () => {
    const { ws, api, files } = await damagedWorkspace({ kind: 'truncate', bytes: 50_000 });
    try {
      await expectFallback(ws, withConfig(ws, { base_url: api.url }), /export file (has \d+ rows where the job reported 2500|could not be read)/);
    } finally {
      await Promise.all([api.close(), files.close()]);
      await ws.close();
    }
  }, 120_000);

  it('a corrupt gzip file', async () => {
    const { ws, api, files } = await damagedWorkspace({ kind: 'truncate', bytes: 20_000 }, { exportGzip: true });
    try {
      await expectFallback(ws, withConfig(ws, { base_url: api.url }), /export file could not be read/);
    } finally {
      await Promise.all([api.close(), files.close()]);
      await ws.close();
    }
  }, 120_000);

  it('a storage host that redirects: the redirect is not followed', async () => {
    const elsewhere = await recordingProxy('http://127.0.0.1:9');
    const { ws, api, files } = await damagedWorkspace({ kind: 'redirect', location: `${elsewhere.url}/steal` });
    try {
      await expectFallback(ws, withConfig(ws, { base_url: api.url }), /redirected the export download \(302\); redirects are not followed/);
      expect(elsewhere.requests).toEqual([]);
      expect(files.requests.every((r) => r.headers['authorization'] === undefined)).toBe(true);
    } finally {
      await Promise.all([api.close(), files.close(), elsewhere.close()]);
      await ws.close();
    }
  }, 120_000);
});
