import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../../src/app/progress.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { CLI, ofType, recordsOf, runCli, TEST_KEY, writeFiles } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

let ws: TestWorkspace;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100 });
});

afterAll(async () => ws.close());

const segmentsOnly = () =>
  writeFiles({
    'cat.json': {
      streams: [{ tap_stream_id: 'segments', stream: 'segments', schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true } }] }],
    },
  })['cat.json'] as string;

describe('config from the environment (--config ENV)', () => {
  it('reads TAP_CUSTOMERIO_<SETTING> variables, typed per spec.json', async () => {
    const result = await runCli(['--config', 'ENV', '--catalog', segmentsOnly()], {
      env: { TAP_CUSTOMERIO_APP_API_KEY: TEST_KEY, TAP_CUSTOMERIO_BASE_URL: ws.sim.url, TAP_CUSTOMERIO_REQUESTS_PER_SECOND: '50' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(recordsOf(result.messages, 'segments').length).toBe(ws.sim.truth.segments().length);
  });

  it('combines with a file, later sources winning', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: 'file-key-will-be-overridden', base_url: ws.sim.url } });
    const result = await runCli(['--config', path as string, '--config', 'ENV', '--catalog', segmentsOnly()], {
      env: { TAP_CUSTOMERIO_APP_API_KEY: TEST_KEY },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('file-key-will-be-overridden');
  });

  it('names the variable when its value has the wrong type', async () => {
    const result = await runCli(['--config', 'ENV', '--discover'], {
      env: { TAP_CUSTOMERIO_APP_API_KEY: TEST_KEY, TAP_CUSTOMERIO_REQUESTS_PER_SECOND: 'fast' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/TAP_CUSTOMERIO_REQUESTS_PER_SECOND must be a number/);
  });
});

describe('--test', () => {
  it('--test=schema prints a SCHEMA for every stream and no record', async () => {
    const result = await runCli(['--config', ws.configPath, '--test=schema']);
    expect(result.code, result.stderr).toBe(0);
    expect(ofType(result.messages, 'RECORD')).toHaveLength(0);
    expect(ofType(result.messages, 'SCHEMA').length).toBeGreaterThanOrEqual(36);
  });

  it('--test syncs at most one record per stream, every stream, and exits 0', async () => {
    ws.sim.resetStats();
    const result = await runCli(['--config', ws.configPath, '--test'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    const perStream = new Map<string, number>();
    for (const m of ofType(result.messages, 'RECORD')) perStream.set(m['stream'], (perStream.get(m['stream']) ?? 0) + 1);
    expect(perStream.size).toBeGreaterThanOrEqual(30);
    for (const [stream, count] of perStream) expect(count, stream).toBe(1);
    expect(ofType(result.messages, 'STATE')).toHaveLength(0);
  });
});

describe('stream maps', () => {
  const run = (maps: unknown, args: string[] = []) => {
    const { 'c.json': path } = writeFiles({ 'c.json': { ...ws.config, stream_maps: maps } });
    return runCli(['--config', path as string, ...args]);
  };

  it('alias, drop, hash and filter', async () => {
    const result = await run({ campaigns: { __alias__: 'automations', name_hash: 'sha256(name)', description: null, __filter__: "state == 'running'" } }, [
      '--catalog',
      writeFiles({ 'k.json': { streams: [{ tap_stream_id: 'campaigns', schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true } }] }] } })[
        'k.json'
      ] as string,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const schema = ofType(result.messages, 'SCHEMA')[0];
    expect(schema?.['stream']).toBe('automations');
    expect(schema?.['schema'].properties).not.toHaveProperty('description');
    expect(schema?.['schema'].properties.name_hash.type).toEqual(['string', 'null']);
    const records = recordsOf(result.messages, 'automations');
    const running = ws.sim.truth.campaigns().filter((c: any) => c.state === 'running');
    expect(running.length).toBeGreaterThan(0);
    expect(records.length).toBe(running.length);
    for (const record of records) {
      expect(record).not.toHaveProperty('description');
      expect(record['name_hash']).toMatch(/^[0-9a-f]{64}$/);
    }
    // State keeps the stream's own name.
    expect(ofType(result.messages, 'STATE').at(-1)?.['value']['bookmarks']).toHaveProperty('campaigns');
  });

  it('anything outside the subset is refused at startup with the rule named', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ '*': { x: null } }, /stream_maps\.\* names an unknown stream/],
      [{ campaigns: { __else__: null } }, /stream_maps\.campaigns\.__else__ is not supported/],
      [{ campaigns: { x: 'upper(name)' } }, /"upper\(name\)" is not a supported expression/],
      [{ campaigns: { x: 'md5(nope)' } }, /"nope" is not a property/],
      [{ campaigns: { id: null } }, /part of the primary key/],
      [{ campaigns: { __filter__: "state == 'a' and id > 3" } }, /not a literal|simple comparison/],
      [{ campaigns: null }, /must be an object of property rules/],
    ];
    for (const [maps, pattern] of cases) {
      const result = await run(maps, ['--catalog', segmentsOnly()]);
      expect(result.code, JSON.stringify(maps)).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(pattern);
    }
  });

  it('Airbyte refuses a stream rename', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { ...ws.config, stream_maps: { segments: { __alias__: 'x' } } } });
    const catalog = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { segments: 'full_refresh' }) })['k.json'] as string;
    const result = await runCli(['read', '--config', path as string, '--catalog', catalog]);
    expect(result.code).not.toBe(0);
    expect(ofType(result.messages, 'TRACE')[0]?.['trace']['error']['message']).toMatch(/cannot be renamed in Airbyte mode/);
  });
});

describe('what orchestrators see while a sync runs', () => {
  it('Singer: INFO METRIC counters per stream and HTTP timers on stderr', async () => {
    const result = await runCli(['--config', ws.configPath, '--catalog', segmentsOnly()]);
    const metrics = result.stderr
      .split('\n')
      .filter((l) => l.startsWith('INFO METRIC: '))
      .map((l) => JSON.parse(l.slice('INFO METRIC: '.length)));
    expect(metrics).toContainEqual({ type: 'counter', metric: 'record_count', value: ws.sim.truth.segments().length, tags: { endpoint: 'segments' } });
    const timer = metrics.find((m) => m.type === 'timer');
    expect(timer).toMatchObject({ metric: 'http_request_duration', tags: { endpoint: '/v1/segments', http_status_code: 200, status: 'succeeded' } });
    expect(ofType(result.messages, 'RECORD').length).toBeGreaterThan(0);
  });

  it('Airbyte: ESTIMATE traces for people and messages from the workspace counts', async () => {
    const catalog = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { people: 'full_refresh', messages: 'incremental' }) })['k.json'] as string;
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog]);
    const estimates = ofType(result.messages, 'TRACE').filter((m) => m['trace']['type'] === 'ESTIMATE');
    const workspace = ws.sim.truth.workspaces()[0] as unknown as Record<string, number>;
    expect(estimates.map((m) => m['trace']['estimate'])).toEqual(
      expect.arrayContaining([
        { name: 'people', type: 'STREAM', row_estimate: workspace['people'] },
        { name: 'messages', type: 'STREAM', row_estimate: workspace['messages_sent'] },
      ]),
    );
  });

  it('Singer has no estimate message, so it spends no request on the workspace counts', async () => {
    const catalog = writeFiles({
      'cat.json': {
        streams: [{ tap_stream_id: 'people', stream: 'people', schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true } }] }],
      },
    })['cat.json'] as string;
    ws.sim.resetStats();
    const result = await runCli(['--config', ws.configPath, '--catalog', catalog]);
    expect(result.code).toBe(0);
    expect(recordsOf(result.messages, 'people').length).toBe(ws.sim.truth.peopleCount());
    expect(ws.sim.stats().byPath['/v1/workspaces']).toBeUndefined();
  });

  it('Airbyte: STREAM_STATUS RUNNING with a RATE_LIMITED reason while waiting on a 429', async () => {
    ws.sim.setFaults([{ path: '^/v1/segments$', kind: 'status', status: 429, headers: { 'Retry-After': '1' }, times: 1 }]);
    const catalog = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { segments: 'full_refresh' }) })['k.json'] as string;
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog]);
    ws.sim.setFaults([]);
    expect(result.code).toBe(0);
    const limited = ofType(result.messages, 'TRACE').find((m) => m['trace']['stream_status']?.['reasons']?.[0]?.['type'] === 'RATE_LIMITED');
    expect(limited?.['trace']['stream_status']).toMatchObject({ status: 'RUNNING', stream_descriptor: { name: 'segments' } });
    expect(limited?.['trace']['stream_status']['reasons'][0]['rate_limited']['quota_reset']).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a progress line only on a terminal', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let written = '';
    tty.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const progress = new Progress(tty, () => 12);
    progress.add('campaigns', 1234);
    await new Promise((r) => setTimeout(r, 1100));
    progress.stop();
    expect(written).toMatch(/1,234 records, [\d.]+ requests\/s, \d+ s — campaigns/);
    const pipe = new PassThrough();
    let piped = '';
    pipe.on('data', (chunk: Buffer) => (piped += chunk.toString()));
    const quiet = new Progress(pipe, () => 1);
    quiet.add('x', 1);
    await new Promise((r) => setTimeout(r, 1100));
    quiet.stop();
    expect(piped).toBe('');
  });

  it("read draws the progress line on a terminal's stderr, and never into a pipe", { timeout: 60_000 }, async () => {
    const { 'c.json': slow } = writeFiles({ 'c.json': { ...ws.config, requests_per_second: 4 } });
    const catalog = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { campaigns_actions: 'full_refresh' }) })['k.json'] as string;
    const out = writeFiles({ 'o.txt': '' })['o.txt'] as string;
    // `script` gives the command a terminal; stdout goes to a file, stderr stays on the terminal.
    const command = `${process.execPath} ${CLI} read --config ${slow as string} --catalog ${catalog} > ${out}`;
    // Asynchronously: the simulator answering the tap lives in this very process.
    const onTerminal = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', (status) => resolve({ status, stdout: text }));
    });
    expect(onTerminal.status).toBe(0);
    // ESC [ K: the progress line clears the rest of the terminal line before it is redrawn.
    expect(onTerminal.stdout).toMatch(new RegExp(`\r${String.fromCharCode(27)}\\[K\\d[\\d,]* records, [\\d.]+ requests/s, \\d+ s — campaigns_actions`));
    const piped = await runCli(['read', '--config', slow as string, '--catalog', catalog]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/requests\/s, \d+ s —/);
  });

  it('--help of every command lists its flags', async () => {
    for (const [args, flags] of [
      [['--help'], ['--config', '--discover', '--catalog', '--state', '--about', '--test']],
      [
        ['read', '--help'],
        ['--config', '--catalog', '--state'],
      ],
      [['check', '--help'], ['--config']],
      [
        ['simulate', '--help'],
        ['--port', '--seed', '--scale', '--rate-limit', '--latency-ms'],
      ],
      [
        ['demo', '--help'],
        ['--scale', '--protocol', '--output'],
      ],
      [
        ['preview', '--help'],
        ['--config', '--stream'],
      ],
    ] as Array<[string[], string[]]>) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      for (const flag of flags) expect(result.stdout, `${args.join(' ')} ${flag}`).toContain(flag);
    }
    // Every command is named in the top-level help, the tools included.
    const top = await runCli(['--help']);
    for (const command of ['spec', 'check', 'discover', 'read', 'preview', 'simulate', 'demo']) expect(top.stdout, command).toContain(command);
  });
});
