import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, TEST_KEY, writeFiles } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * A daily quota spent (§3): one endpoint answers 429 without Retry-After, and the answer never
 * changes. The tap backs off exponentially up to a minute between tries, so giving up takes
 * 6.5 to 13 minutes of real time; the read runs in process with a clock whose sleeps return at
 * once (time jumps ahead instead), over real HTTP against the simulator. Everything else is the
 * real app: argument parsing, the rate limiter, the retry loop, the Airbyte output.
 */
type Row = Record<string, any>;

let ws: TestWorkspace;
let catalogPath: string;
const STREAMS = { newsletters: 'full_refresh', segments: 'full_refresh', campaigns_actions: 'full_refresh', people: 'full_refresh' } as const;

/** Wall time plus every sleep asked so far: a sleep moves the clock and returns on the next turn. */
function jumpingClock(): Clock & { slept(): number } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      if (ms > 0) offset += ms;
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw signal.reason;
    },
    slept: () => offset,
  };
}

async function readInProcess(argv: string[], clock: Clock): Promise<{ code: number; messages: Row[]; stderr: string }> {
  let timer: NodeJS.Timeout | undefined;
  const bounded = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the read did not end within 45 s: it waits on a quota that never lifts')), 45_000);
  });
  try {
    const { code, stdout, stderr } = await Promise.race([runInProcess(argv, { host: ws.sim.url, clock }), bounded]);
    expect(stdout).not.toContain(TEST_KEY);
    expect(stderr).not.toContain(TEST_KEY);
    const messages = stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Row);
    return { code, messages, stderr };
  } finally {
    clearTimeout(timer);
  }
}

function terminal(messages: Row[], stream: string): string | undefined {
  return ofType(messages, 'TRACE')
    .filter((m) => m['trace']['type'] === 'STREAM_STATUS' && m['trace']['stream_status']['stream_descriptor']['name'] === stream)
    .map((m) => m['trace']['stream_status']['status'])
    .at(-1);
}

function errorFor(messages: Row[], stream: string): string {
  const trace = ofType(messages, 'TRACE').find((m) => m['trace']['type'] === 'ERROR' && m['trace']['error']['stream_descriptor']?.['name'] === stream);
  return `${trace?.['trace']['error']['message'] ?? ''} ${trace?.['trace']['error']['internal_message'] ?? ''}`;
}

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100 });
  catalogPath = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, STREAMS) })['k.json'] as string;
});

afterAll(async () => ws?.close());

describe('a 429 without Retry-After that never lifts (daily quota)', () => {
  it('ends that stream after a bounded number of tries, naming the endpoint; the other streams complete', { timeout: 60_000 }, async () => {
    ws.sim.setFaults([{ path: '^/v1/newsletters$', kind: 'status', status: 429 }]);
    ws.sim.resetStats();
    const clock = jumpingClock();
    let result: Awaited<ReturnType<typeof readInProcess>>;
    try {
      result = await readInProcess(['read', '--config', ws.configPath, '--catalog', catalogPath], clock);
    } finally {
      ws.sim.setFaults([]);
    }
    const { code, messages, stderr } = result;
    expect(code, stderr.slice(-1000)).not.toBe(0);
    expect(terminal(messages, 'newsletters')).toBe('INCOMPLETE');
    const error = errorFor(messages, 'newsletters');
    const tries = /GET \/v1\/newsletters was still rate limited after (\d+) tries/.exec(error);
    expect(tries, error).not.toBeNull();
    // Every try reached the server, and there were few of them: the tap gave up, it did not wait forever.
    const asked = ws.sim.stats().byPath['/v1/newsletters'] ?? 0;
    expect(asked).toBe(Number(tries?.[1]));
    expect(asked).toBeGreaterThan(1);
    expect(asked).toBeLessThanOrEqual(50);
    // It did back off between tries (the clock jumped by the waits it asked for).
    expect(clock.slept()).toBeGreaterThan(0);
    expect(recordsOf(messages, 'newsletters')).toEqual([]);

    const truth = ws.sim.truth;
    const expected: Record<string, string[]> = {
      segments: truth.segments().map((s: Row) => String(s['id'])),
      campaigns_actions: truth.campaigns().flatMap((c: Row) => truth.campaignActions(c['id']).map((a: Row) => String(a['id']))),
      people: [...truth.peopleCioIds()].map(String),
    };
    for (const [stream, keys] of Object.entries(expected)) {
      expect(terminal(messages, stream), stream).toBe('COMPLETE');
      const got = recordsOf(messages, stream).map((r) => String(r[stream === 'people' ? 'cio_id' : 'id']));
      expect(got.length, `${stream} duplicates`).toBe(new Set(got).size);
      expect(new Set(got), `${stream} complete`).toEqual(new Set(keys));
    }
  });
});
