import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, TEST_KEY, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Lists that are empty the way the API says "empty": a search that matches nobody answers
 * `{"identifiers": null, "ids": null, "next": ""}` (§5.7), and a workspace without exports
 * answers `{"exports": null}` (§5.9). Each such stream completes, with no record and a STATE.
 */
type Row = Record<string, any>;

function statusOf(result: CliResult, stream: string): string | undefined {
  return ofType(result.messages, 'TRACE')
    .filter((m) => m['trace']['type'] === 'STREAM_STATUS' && m['trace']['stream_status']['stream_descriptor']['name'] === stream)
    .map((m) => m['trace']['stream_status']['status'])
    .at(-1);
}

function statesOf(result: CliResult, stream: string): Row[] {
  return ofType(result.messages, 'STATE').filter((m) => m['state']?.['stream']?.['stream_descriptor']?.['name'] === stream);
}

const NOBODY = '{"identifiers":null,"ids":null,"next":""}';

describe('a search that matches nobody (§5.7)', () => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100 });
  });
  afterAll(async () => ws?.close());

  it.each([
    ['people', '^/v1/customers$'],
    ['objects', '^/v1/objects$'],
  ])('%s: POST search answering null identifiers and ids completes with zero records and a state', async (stream, path) => {
    const { 'k.json': catalog } = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { [stream]: 'full_refresh' }) });
    ws.sim.setFaults([{ path, method: 'POST', kind: 'wrong-shape', status: 200, body: NOBODY }]);
    ws.sim.resetStats();
    let result: CliResult;
    try {
      result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog as string], { timeoutMs: 40_000 });
    } finally {
      ws.sim.setFaults([]);
    }
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    // The search was asked (every object type for objects) and answered the empty shape.
    const searches = ws.sim.stats().byPath[path.slice(1, -1)] ?? 0;
    expect(searches).toBeGreaterThanOrEqual(stream === 'objects' ? ws.sim.truth.objectTypes().length : 1);
    expect(statusOf(result, stream)).toBe('COMPLETE');
    expect(recordsOf(result.messages, stream)).toEqual([]);
    expect(statesOf(result, stream).length).toBeGreaterThan(0);
    expect(ofType(result.messages, 'TRACE').filter((m) => m['trace']['type'] === 'ERROR')).toEqual([]);
  });
});

describe('a workspace without exports (§5.9)', () => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await testWorkspace({ scale: 'small', rateLimit: 0, sizes: { maxExports: 0 } }, { requests_per_second: 100 });
  });
  afterAll(async () => ws?.close());

  it('the API answers {"exports": null}', async () => {
    expect(ws.sim.truth.exports()).toEqual([]);
    const answer = await fetch(`${ws.sim.url}/v1/exports`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
    expect(await answer.json()).toEqual({ exports: null });
  });

  it.each(['full_refresh', 'incremental'] as const)('exports %s completes with zero records and a state', async (mode) => {
    const { 'k.json': catalog } = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { exports: mode }) });
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog as string], { timeoutMs: 40_000 });
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    expect(statusOf(result, 'exports')).toBe('COMPLETE');
    expect(recordsOf(result.messages, 'exports')).toEqual([]);
    expect(statesOf(result, 'exports').length).toBeGreaterThan(0);
  });
});
