import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Two resume points besides the incremental messages read: a killed FULL REFRESH of messages
 * continues from its finished intervals (only a complete read sets `high`), and a killed metrics
 * read skips the entities it had finished (`partial`).
 */
type Row = Record<string, any>;
const DAY = 86_400;
let ws: TestWorkspace;
let config: string;
let small: TestWorkspace;
let smallConfig: string;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'medium', latencyMs: 10 });
  const start_date = new Date((ws.sim.now() - 400 * DAY) * 1000).toISOString();
  config = writeFiles({ 'c.json': { ...ws.config, start_date, requests_per_second: 50, state_every_records: 500, messages_lookback_days: 0 } })[
    'c.json'
  ] as string;
  // One request per entity, a few entities a second: slow enough to be killed part-way.
  small = await testWorkspace({ scale: 'small', latencyMs: 50 });
  smallConfig = writeFiles({ 'c.json': { ...small.config, requests_per_second: 5, state_every_records: 100 } })['c.json'] as string;
}, 60_000);

afterAll(async () => {
  await ws?.close();
  await small?.close();
});

function lastState(result: CliResult, stream: string): Row | undefined {
  return ofType(result.messages, 'STATE')
    .map((m) => m['state'])
    .filter((s) => s['stream']['stream_descriptor']['name'] === stream)
    .at(-1);
}

async function killedAndResumed(streams: Record<string, 'full_refresh' | 'incremental'>, stream: string, when: (state: Row) => boolean, config: string) {
  const catalog = writeFiles({ 'k.json': await configuredCatalog(config, streams) })['k.json'] as string;
  const killed = await runCli(['read', '--config', config, '--catalog', catalog], {
    onMessage: (m, child) => {
      if (m['type'] === 'STATE' && m['state']['stream']['stream_descriptor']['name'] === stream && when(m['state']['stream']['stream_state']))
        child.kill('SIGKILL');
    },
  });
  expect(killed.signal).toBe('SIGKILL');
  const checkpoint = lastState(killed, stream) as Row;
  const state = writeFiles({ 's.json': [checkpoint] })['s.json'] as string;
  const resumed = await runCli(['read', '--config', config, '--catalog', catalog, '--state', state]);
  expect(resumed.code, resumed.stderr.slice(-1000)).toBe(0);
  // What the killed read had emitted up to its last STATE: everything the checkpoint covers.
  const lastStateAt = killed.messages.lastIndexOf(killed.messages.filter((m) => m['type'] === 'STATE').at(-1) as Row);
  return {
    killed,
    committed: recordsOf(killed.messages.slice(0, lastStateAt), stream),
    resumed: recordsOf(resumed.messages, stream),
    checkpoint: checkpoint['stream']['stream_state'] as Row,
  };
}

describe('resuming what a killed read had finished', () => {
  it('messages in full refresh: the restart reads only the gaps, and nothing is lost', async () => {
    const run = await killedAndResumed(
      { messages: 'full_refresh' },
      'messages',
      (s) => (s['done'] ?? []).length > 0 && s['high'] === undefined && s['done'].some(([a, b]: [number, number]) => b - a > 30 * DAY),
      config,
    );
    const done = run.checkpoint['done'] as Array<[number, number]>;
    expect(run.checkpoint['high']).toBeUndefined();
    const inDone = (t: number): boolean => done.some(([a, b]) => t >= a && t < b);
    expect(run.resumed.length).toBeGreaterThan(0);
    expect(run.resumed.filter((r) => inDone(r['created']))).toEqual([]);
    const got = new Set([...run.committed, ...run.resumed].map((r) => r['id']));
    const truth = ws.sim.truth.messageIds(ws.sim.now() - 400 * DAY, ws.sim.now());
    expect(truth.filter((id: string) => !got.has(id))).toEqual([]);
  });

  it('campaign_action_metrics: the restart skips the entities already read, and every entity comes', async () => {
    const run = await killedAndResumed(
      { campaign_action_metrics: 'incremental' },
      'campaign_action_metrics',
      (s) => (s['partial']?.['done'] ?? []).length >= 5,
      smallConfig,
    );
    const finished = new Set<string>(run.checkpoint['partial']['done']);
    expect(finished.size).toBeGreaterThanOrEqual(5);
    const entity = (r: Row): string => String(r['action_id']);
    expect(run.resumed.length).toBeGreaterThan(0);
    expect(run.resumed.filter((r) => finished.has(entity(r))).map(entity)).toEqual([]);
    const all = new Set([...run.committed, ...run.resumed].map(entity));
    const truth = small.sim.truth;
    const expected = (truth.campaigns() as Row[])
      .flatMap((c) => truth.campaignActions(c['id']).map((a: Row) => ({ c: c['id'], a: Number(a['id']) })))
      .filter(({ c, a }) => truth.metricSeriesNames('campaign_action', [c, a]).length > 0)
      .map(({ a }) => String(a));
    expect(expected.filter((a) => !all.has(a))).toEqual([]);
  });
});
