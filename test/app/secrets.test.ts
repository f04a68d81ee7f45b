import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, TEST_KEY, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

let ws: TestWorkspace;
const results: Array<[string, CliResult]> = [];

beforeAll(async () => {
  ws = await testWorkspace({ rateLimit: 0, faults: [{ path: '^/v1/newsletters$', kind: 'status', status: 500, times: 1 }] }, { requests_per_second: 50 });
  const catalog = await configuredCatalog(ws.configPath, { campaigns: 'incremental', newsletters: 'incremental', people: 'full_refresh' });
  const paths = writeFiles({
    'catalog.json': catalog,
    'syntax.json': `{"app_api_key": "${TEST_KEY}" "region": "us"}`,
    'invalid.json': { app_api_key: TEST_KEY, region: 'moon', base_url: ws.sim.url },
    'wronghost.json': { app_api_key: TEST_KEY, base_url: 'http://127.0.0.1:1' },
    'typo.json': { app_api_key: TEST_KEY, apikey: TEST_KEY, base_url: ws.sim.url },
    'bad-state.json': '{"bookmarks": ',
  });
  const run = async (label: string, args: string[]) => results.push([label, await runCli(args)]);
  await run('check', ['check', '--config', ws.configPath]);
  await run('discover', ['discover', '--config', ws.configPath]);
  await run('read', ['read', '--config', ws.configPath, '--catalog', paths['catalog.json'] as string]);
  await run('singer read', ['--config', ws.configPath]);
  await run('syntax error', ['check', '--config', paths['syntax.json'] as string]);
  await run('syntax error read', ['read', '--config', paths['syntax.json'] as string, '--catalog', paths['catalog.json'] as string]);
  await run('invalid', ['read', '--config', paths['invalid.json'] as string, '--catalog', paths['catalog.json'] as string]);
  await run('typo', ['--config', paths['typo.json'] as string]);
  await run('unreachable', ['check', '--config', paths['wronghost.json'] as string]);
  await run('bad state', ['--config', ws.configPath, '--state', paths['bad-state.json'] as string]);
}, 120_000);

afterAll(async () => ws.close());

describe('the App API key', () => {
  it('appears in no stdout or stderr of any command, success or failure', () => {
    expect(results.length).toBe(10);
    for (const [label, result] of results) {
      expect(result.stdout.includes(TEST_KEY), `${label} stdout`).toBe(false);
      expect(result.stderr.includes(TEST_KEY), `${label} stderr`).toBe(false);
    }
  });

  it('the runs did exercise logs, retries and errors', () => {
    const all = results.map(([, r]) => r.stdout + r.stderr).join('\n');
    expect(all).toMatch(/retrying in/); // the injected 500
    expect(all).toMatch(/not valid JSON/);
    expect(all).toMatch(/Did you mean/);
  });
});
