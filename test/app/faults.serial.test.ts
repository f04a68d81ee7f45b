import { describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, runCli, TEST_KEY, writeFiles } from '../helpers/cli.js';

/**
 * The fault of faults.test.ts whose test times the tap: alone in the serial group, so a busy
 * machine, not the tap, cannot decide whether "quickly" holds.
 */
describe('faults that end one stream', () => {
  it('a refused connection: check says so quickly, read names the endpoint', async () => {
    // Nothing listens on port 1: every request is refused at once.
    const { 'c.json': path } = writeFiles({
      'c.json': { app_api_key: TEST_KEY, base_url: 'http://127.0.0.1:1', requests_per_second: 100, request_timeout_seconds: 1 },
    });
    const started = Date.now();
    const check = await runCli(['check', '--config', path as string]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(ofType(check.messages, 'CONNECTION_STATUS')[0]?.['connectionStatus']['message']).toMatch(/GET \/v1\/workspaces failed: the connection was refused/);

    const { 'k.json': catalog } = writeFiles({ 'k.json': await configuredCatalog(path as string, { segments: 'full_refresh' }) });
    const read = await runCli(['read', '--config', path as string, '--catalog', catalog as string]);
    expect(read.code).not.toBe(0);
    const error = ofType(read.messages, 'TRACE').find(
      (m) => m['trace']['type'] === 'ERROR' && m['trace']['error']['stream_descriptor']?.['name'] === 'segments',
    );
    expect(error?.['trace']['error']['message']).toMatch(/GET \/v1\/segments failed: the connection was refused/);
  });
});
