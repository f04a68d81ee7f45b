import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, runCli, TEST_KEY, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

let ws: TestWorkspace;
let catalogPath: string;

beforeAll(async () => {
  ws = await testWorkspace({ rateLimit: 0 }, { requests_per_second: 50 });
  catalogPath = writeFiles({ 'c.json': await configuredCatalog(ws.configPath, { campaigns: 'incremental', segments: 'full_refresh' }) })['c.json'] as string;
});

afterAll(async () => ws.close());

function errorMessage(result: CliResult): string {
  const trace = ofType(result.messages, 'TRACE').find((m) => m['trace']['type'] === 'ERROR');
  return trace ? `${trace['trace']['error']['message']} [${trace['trace']['error']['failure_type']}]` : result.stderr;
}

/** Bad input: non-zero exit, a config_error naming the file and fix, nothing half-written. */
function expectRejected(result: CliResult, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(ofType(result.messages, 'RECORD')).toHaveLength(0);
  expect(ofType(result.messages, 'STATE')).toHaveLength(0);
  expect(result.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(errorMessage(result)).toMatch(pattern);
}

describe('bad config', () => {
  const read = (configPath: string) => runCli(['read', '--config', configPath, '--catalog', catalogPath]);

  it('a missing file is named', async () => {
    expectRejected(await read('/nonexistent/config.json'), /config file \/nonexistent\/config\.json does not exist.*--config \[config_error\]/);
  });

  it('malformed JSON points at the line and column', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': `{\n  "app_api_key": "${TEST_KEY}",\n  "region": us\n}` });
    expectRejected(await read(path as string), new RegExp(`not valid JSON at line 3, column 13.*${(path as string).replace(/[.]/g, '\\.')}:3:13`));
  });

  it('an empty file says so', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': '' });
    expectRejected(await read(path as string), /is empty/);
  });

  it('a near-miss key suggests the right one', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { api_key: TEST_KEY, base_url: ws.sim.url } });
    expectRejected(await read(path as string), /Unknown key "api_key".*Did you mean "app_api_key"/);
  });

  it('a missing key, a wrong type, a bad enum are each named with the fix', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { region: 'mars', requests_per_second: 'fast' } });
    const result = await read(path as string);
    expectRejected(result, /app_api_key is missing/);
    expect(errorMessage(result)).toMatch(/region must be one of us, eu, auto/);
    expect(errorMessage(result)).toMatch(/requests_per_second must be a number/);
  });

  it('an invalid start_date asks for RFC 3339', async () => {
    for (const start_date of ['2025-13-45', 'yesterday', '2025-02-30T00:00:00Z']) {
      const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: TEST_KEY, base_url: ws.sim.url, start_date } });
      expectRejected(await read(path as string), /start_date .*(RFC 3339|not a real date)/);
    }
  });

  it('a base_url with credentials or another scheme is refused', async () => {
    for (const base_url of ['http://user:pw@127.0.0.1:1', 'ftp://example.com']) {
      const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: TEST_KEY, base_url } });
      expectRejected(await read(path as string), /base_url/);
    }
  });

  it('a config that is not an object says what it got', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': '["a"]' });
    expectRejected(await read(path as string), /must be a JSON object, got an array/);
  });
});

describe('bad catalog', () => {
  const read = (path: string) => runCli(['read', '--config', ws.configPath, '--catalog', path]);

  it('an unknown stream lists the known ones', async () => {
    const { 'c.json': path } = writeFiles({
      'c.json': { streams: [{ stream: { name: 'campaign' }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }] },
    });
    expectRejected(await read(path as string), /streams\[0\] names an unknown stream "campaign".*Known streams: campaigns/);
  });

  it('an unsupported sync mode names the stream and the allowed modes', async () => {
    const { 'c.json': path } = writeFiles({
      'c.json': { streams: [{ stream: { name: 'segment_memberships' }, sync_mode: 'incremental', destination_sync_mode: 'append' }] },
    });
    expectRejected(await read(path as string), /segment_memberships does not support sync_mode incremental/);
  });

  it('a catalog without streams, or not JSON', async () => {
    const paths = writeFiles({ 'a.json': { stream: [] }, 'b.json': '{"streams": [' });
    expectRejected(await read(paths['a.json'] as string), /has no "streams" list/);
    expectRejected(await read(paths['b.json'] as string), /catalog file .* is not valid JSON at line 1, column 14/);
  });

  it('Singer: an unknown replication method', async () => {
    const { 'c.json': path } = writeFiles({
      'c.json': {
        streams: [{ tap_stream_id: 'segments', schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'LOG_BASED' } }] }],
      },
    });
    const result = await runCli(['--config', ws.configPath, '--catalog', path as string]);
    expectRejected(result, /replication-method "LOG_BASED".*INCREMENTAL or FULL_TABLE/);
  });
});

describe('bad state', () => {
  const read = (path: string) => runCli(['read', '--config', ws.configPath, '--catalog', catalogPath, '--state', path]);

  it('invalid JSON, a wrong shape, a wrong cursor type', async () => {
    const paths = writeFiles({
      'a.json': '[{"type": "STREAM",',
      'b.json': '"yesterday"',
      'c.json': [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: 'last tuesday' } } }],
      'd.json': [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: [1] } }],
    });
    expectRejected(await read(paths['a.json'] as string), /state file .*a\.json is not valid JSON/);
    expectRejected(await read(paths['b.json'] as string), /must be a JSON array of STATE messages, got a string/);
    expectRejected(await read(paths['c.json'] as string), /campaigns\.updated must be a unix timestamp/);
    expectRejected(await read(paths['d.json'] as string), /stream_state of "campaigns" must be an object/);
  });

  it('Singer: a state that is not a bookmarks object', async () => {
    const { 's.json': path } = writeFiles({ 's.json': '[]' });
    const result = await runCli(['--config', ws.configPath, '--state', path as string]);
    expectRejected(result, /must be a JSON object.*bookmarks/);
  });
});

describe('bad usage', () => {
  it('unknown flags and missing arguments exit 2 with the fix', async () => {
    const missing = await runCli(['read', '--config', ws.configPath]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/catalog/);
    const unknown = await runCli(['check', '--config', ws.configPath, '--verbose-mode']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown argument/i);
  });
});
