import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from 'customerio-simulator';
import { configuredCatalog, streamDef } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Each fault through the real CLI: retried where retrying is right, otherwise the stream ends
 * with an error naming the endpoint and what came back, while the others complete; and what
 * was emitted always matches the simulator: nothing missing, no duplicate.
 */
let ws: TestWorkspace;
let catalogPath: string;
/**
 * A deliberate subset, one stream per way of reading (a single page, cursor pages, a parent's
 * children, search then fetch), all in full refresh so every read asks for everything again.
 */
const STREAMS = { segments: 'full_refresh', newsletters: 'full_refresh', campaigns_actions: 'full_refresh', people: 'full_refresh' } as const;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100, request_timeout_seconds: 1 });
  catalogPath = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, STREAMS) })['k.json'] as string;
});

afterAll(async () => ws.close());

/** One read with the faults in place; the simulator's counters then hold this read's requests only. */
async function readWith(faults: FaultRule[], args: string[] = []): Promise<CliResult> {
  ws.sim.setFaults(faults);
  ws.sim.resetStats();
  try {
    return await runCli(args.length ? args : ['read', '--config', ws.configPath, '--catalog', catalogPath]);
  } finally {
    ws.sim.setFaults([]);
  }
}

/** Complete and without duplicates, compared with the simulator's ground truth. */
function expectExact(result: CliResult, streams: string[]): void {
  const truth = ws.sim.truth;
  const expected: Record<string, string[]> = {
    segments: truth.segments().map((s: any) => String(s.id)),
    newsletters: truth.newsletters().map((n: any) => String(n.id)),
    campaigns_actions: truth.campaigns().flatMap((c: any) => truth.campaignActions(c.id).map((a: any) => String(a.id))),
    people: [...truth.peopleCioIds()].map(String),
  };
  for (const stream of streams) {
    const key = streamDef(stream).primaryKey.map(([field]) => field as string);
    const keys = recordsOf(result.messages, stream).map((r) => key.map((field) => String(r[field])).join('|'));
    expect(keys.length, `${stream} duplicates`).toBe(new Set(keys).size);
    expect(new Set(keys), `${stream} complete`).toEqual(new Set(expected[stream]));
  }
}

function terminal(result: CliResult, stream: string): string | undefined {
  return ofType(result.messages, 'TRACE')
    .filter((m) => m['trace']['type'] === 'STREAM_STATUS' && m['trace']['stream_status']['stream_descriptor']['name'] === stream)
    .map((m) => m['trace']['stream_status']['status'])
    .at(-1);
}

function errorFor(result: CliResult, stream: string): string {
  const trace = ofType(result.messages, 'TRACE').find((m) => m['trace']['type'] === 'ERROR' && m['trace']['error']['stream_descriptor']?.['name'] === stream);
  return `${trace?.['trace']['error']['message'] ?? ''} ${trace?.['trace']['error']['internal_message'] ?? ''}`;
}

describe('faults that are retried', () => {
  it.each<[string, FaultRule[]]>([
    ['a connection reset mid-body', [{ path: '^/v1/segments$', kind: 'reset-mid-body', times: 2 }]],
    ['a truncated JSON body', [{ path: '^/v1/campaigns/\\d+/actions$', kind: 'truncated', times: 3 }]],
    ['a 200 with an HTML proxy page', [{ path: '^/v1/newsletters$', kind: 'html', times: 2 }]],
    ['a burst of 500, 502 and 503', [500, 502, 503].map((status) => ({ path: '^/v1/customers/attributes$', kind: 'status' as const, status, times: 1 }))],
    ['a 429 storm with Retry-After', [{ path: '^/v1/', kind: 'status', status: 429, headers: { 'Retry-After': '1' }, times: 4 }]],
    ['a 429 storm without Retry-After', [{ path: '^/v1/', kind: 'status', status: 429, times: 4 }]],
    ['answers slower than the request timeout', [{ path: '^/v1/segments$', kind: 'delay', delayMs: 2500, times: 1 }]],
    ['a reset before any answer', [{ path: '^/v1/customers$', kind: 'reset', times: 2 }]],
  ])('%s: every stream completes with exactly the data', async (_label, faults) => {
    const result = await readWith(faults);
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    for (const stream of Object.keys(STREAMS)) expect(terminal(result, stream), stream).toBe('COMPLETE');
    expectExact(result, Object.keys(STREAMS));
    const warnings = ofType(result.messages, 'LOG').filter((m) => m['log']['level'] === 'WARN');
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('faults that end one stream', () => {
  it('a proxy page that never goes away: newsletters fails naming the endpoint and what came back; the rest complete', async () => {
    const result = await readWith([{ path: '^/v1/newsletters$', kind: 'html' }]);
    expect(result.code).not.toBe(0);
    expect(terminal(result, 'newsletters')).toBe('INCOMPLETE');
    expect(errorFor(result, 'newsletters')).toMatch(/GET \/v1\/newsletters answered 200 with a body that is not JSON \(".*"\).*gave up after \d+ tries/);
    for (const stream of ['segments', 'campaigns_actions', 'people']) expect(terminal(result, stream), stream).toBe('COMPLETE');
    expectExact(result, ['segments', 'campaigns_actions', 'people']);
  });

  it('JSON of the wrong shape is not retried: segments fails naming the missing key', async () => {
    const result = await readWith([{ path: '^/v1/segments$', kind: 'wrong-shape' }]);
    expect(terminal(result, 'segments')).toBe('INCOMPLETE');
    expect(errorFor(result, 'segments')).toMatch(/\/v1\/segments returned a body without "segments"/);
    expect(ws.sim.stats().byPath['/v1/segments']).toBe(1);
    expectExact(result, ['newsletters', 'campaigns_actions', 'people']);
  });

  it('a next token that is not a string', async () => {
    const result = await readWith([{ path: '^/v1/newsletters$', kind: 'wrong-shape', body: '{"newsletters": [], "next": 42}' }]);
    expect(terminal(result, 'newsletters')).toBe('INCOMPLETE');
    expect(errorFor(result, 'newsletters')).toMatch(/"next" as number, not a string token/);
  });

  it('Singer: the failing stream is an ERROR on stderr, the others still sync', async () => {
    const catalog = writeFiles({
      'k.json': {
        streams: ['segments', 'newsletters'].map((name) => ({ tap_stream_id: name, schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true } }] })),
      },
    })['k.json'] as string;
    const result = await readWith([{ path: '^/v1/newsletters$', kind: 'html' }], ['--config', ws.configPath, '--catalog', catalog]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ERROR Stream newsletters: GET \/v1\/newsletters answered 200 with a body that is not JSON/);
    expect(recordsOf(result.messages, 'segments').length).toBe(ws.sim.truth.segments().length);
    for (const line of result.stdout.trim().split('\n')) expect(['SCHEMA', 'RECORD', 'STATE']).toContain(JSON.parse(line).type);
  });

  // 'a refused connection: check says so quickly' times the check: it is in faults.serial.test.ts.

  it('a redirect is not followed, so the key never reaches another host', async () => {
    const other = await testWorkspace({ rateLimit: 0 });
    try {
      const result = await readWith([{ path: '^/v1/segments$', kind: 'status', status: 302, headers: { Location: `${other.sim.url}/v1/segments` } }]);
      expect(terminal(result, 'segments')).toBe('INCOMPLETE');
      expect(errorFor(result, 'segments')).toMatch(/answered a redirect \(302\); it is not followed/);
      expect(other.sim.stats().requests).toBe(0);
    } finally {
      await other.close();
    }
  });
});
