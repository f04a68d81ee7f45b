import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog, finalStates } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * /v1/messages takes `start_ts` and `end_ts` both inclusive (§5.2), while the tap's range is
 * [start_date, end_date). With start_date exactly on one message's `created` second and end_date
 * exactly on another's, the first comes once and the second not at all: the tap must ask
 * `end_ts = end - 1`, and its windows must meet without overlap. The range is longer than the
 * first window, so it is read in several windows.
 */
type Row = Record<string, any>;
const DAY = 86_400;

let ws: TestWorkspace;
let first: Row;
let last: Row;
const reads = new Map<string, CliResult>();

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 });
  const now = ws.sim.now();
  // One message about 300 days back, another about 200 days after it: both inside the history.
  first = ws.sim.truth.messages(now - 300 * DAY, now - 297 * DAY).at(-1) as Row;
  last = ws.sim.truth.messages(first['created'] + 200 * DAY, first['created'] + 203 * DAY).at(-1) as Row;
  const iso = (t: number) => new Date(t * 1000).toISOString();
  const { 'c.json': config } = writeFiles({
    'c.json': { ...ws.config, requests_per_second: 100, start_date: iso(first['created']), end_date: iso(last['created']) },
  });
  for (const mode of ['full_refresh', 'incremental'] as const) {
    const { 'k.json': catalog } = writeFiles({ 'k.json': await configuredCatalog(config as string, { messages: mode }) });
    reads.set(mode, await runCli(['read', '--config', config as string, '--catalog', catalog as string], { timeoutMs: 50_000 }));
  }
}, 60_000);

afterAll(async () => ws?.close());

describe.each(['full_refresh', 'incremental'])("messages %s with start_date and end_date on a message's second", (mode) => {
  it('the message at start_date once, the one at end_date not, everything between once', () => {
    const result = reads.get(mode) as CliResult;
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    expect(first).toBeDefined();
    expect(last).toBeDefined();
    expect(last['created'] - first['created']).toBeGreaterThan(182 * DAY);
    const ids = recordsOf(result.messages, 'messages').map((r) => String(r['id']));
    expect(ids.filter((id) => id === String(first['id']))).toHaveLength(1);
    expect(ids).not.toContain(String(last['id']));
    // Nothing at end_date's second at all, whichever message shares it.
    for (const record of recordsOf(result.messages, 'messages')) {
      expect(record['created']).toBeGreaterThanOrEqual(first['created']);
      expect(record['created']).toBeLessThan(last['created']);
    }
    expect(ids.length, 'duplicates').toBe(new Set(ids).size);
    const expected = ws.sim.truth.messageIds(first['created'], last['created'] - 1);
    expect(expected.length).toBeGreaterThan(1000);
    expect([...ids].sort()).toEqual([...expected].map(String).sort());
  });

  it('the stream completes; incremental keeps end_date as its bookmark', () => {
    const result = reads.get(mode) as CliResult;
    const status = ofType(result.messages, 'TRACE')
      .filter((m) => m['trace']['type'] === 'STREAM_STATUS')
      .map((m) => m['trace']['stream_status']['status'])
      .at(-1);
    expect(status).toBe('COMPLETE');
    if (mode !== 'incremental') return;
    const state = finalStates(result.messages)[0] as Row;
    expect(state['stream']['stream_state']['created']).toBe(last['created']);
  });
});
