import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFields } from '../../src/engine/stream.js';
import { configuredCatalog, streamDef } from '../helpers/catalog.js';
import { recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { stateInput, type Protocol } from '../helpers/stop-scenarios.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Metrics by difference, black-box in both protocols: a first sync, an idle one, and one after
 * the counts grew. The idle sync emits no metrics record and asks nothing under the campaigns,
 * broadcasts and newsletters whose counts did not move; after the growth, a destination that
 * keeps the newest row per key (a dedup fold of all three syncs) holds exactly what a fresh
 * full read of the same window holds now.
 */
type Row = Record<string, any>;
const DAY = 86_400;
const LOOKBACK_DAYS = 5;

const STREAMS = [
  'campaign_metrics',
  'campaign_action_metrics',
  'campaign_link_metrics',
  'broadcast_metrics',
  'broadcast_action_metrics',
  'newsletter_metrics',
  'newsletter_link_metrics',
];
/** The streams whose entities add up to a parent's: nothing is asked under a parent that did not move. */
const CHILD_PATHS = [
  /\/campaigns\/\d+\/actions\/[^/]+\/metrics/,
  /\/campaigns\/\d+\/metrics\/links/,
  /\/broadcasts\/\d+\/actions\/[^/]+\/metrics/,
  /\/newsletters\/\d+\/metrics\/links/,
];

const keyOf = (stream: string, record: Row): string =>
  `${stream} ${keyFields(streamDef(stream))
    .map((f) => String(record[f]))
    .join('|')}`;

/** The last state of a stream a sync left. */
function stateOf(result: CliResult, protocol: Protocol, stream: string): Row | undefined {
  const input = stateInput(result, protocol) as Row[] | Row | undefined;
  if (protocol === 'singer') return (input as Row | undefined)?.['bookmarks']?.[stream];
  return (input as Row[] | undefined)?.find((s) => s['stream']['stream_descriptor']['name'] === stream)?.['stream']['stream_state'];
}

/** A destination that keeps the newest row per key: later syncs win. */
function fold(...syncs: CliResult[]): Map<string, Row> {
  const table = new Map<string, Row>();
  for (const sync of syncs) for (const stream of STREAMS) for (const record of recordsOf(sync.messages, stream)) table.set(keyOf(stream, record), record);
  return table;
}

let ws: TestWorkspace;
let config: string;
const catalogs = {} as Record<Protocol, string>;

function readArgs(protocol: Protocol, state: unknown, configPath = config): string[] {
  const args =
    protocol === 'airbyte' ? ['read', '--config', configPath, '--catalog', catalogs.airbyte] : ['--config', configPath, '--catalog', catalogs.singer];
  if (state !== undefined) args.push('--state', writeFiles({ 's.json': state })['s.json'] as string);
  return args;
}

function childRequests(): number {
  return Object.entries(ws.sim.stats().byPath)
    .filter(([route]) => CHILD_PATHS.some((pattern) => pattern.test(route.replace(/:[a-z_]+/g, '1'))))
    .reduce((sum, [, n]) => sum + n, 0);
}

beforeAll(async () => {
  // The clock a week behind wall time, so it can move forward and stay in the past.
  ws = await testWorkspace({ scale: 'small', rateLimit: 0, now: Math.floor(Date.now() / 1000) - 7 * DAY });
  config = writeFiles({
    'c.json': {
      ...ws.config,
      requests_per_second: 100,
      start_date: new Date((ws.sim.now() - 20 * DAY) * 1000).toISOString(),
      metrics_lookback_days: LOOKBACK_DAYS,
    },
  })['c.json'] as string;
  catalogs.airbyte = writeFiles({ 'k.json': await configuredCatalog(config, Object.fromEntries(STREAMS.map((s) => [s, 'incremental']))) })['k.json'] as string;
  const discovered = JSON.parse((await runCli(['--config', config, '--discover'])).stdout) as Row;
  catalogs.singer = writeFiles({
    'k.json': {
      streams: (discovered['streams'] as Row[]).map((stream) => ({
        ...stream,
        metadata: (stream['metadata'] as Row[]).map((entry) =>
          entry['breadcrumb'].length > 0
            ? entry
            : { ...entry, metadata: { ...entry['metadata'], selected: STREAMS.includes(stream['tap_stream_id']), 'replication-method': 'INCREMENTAL' } },
        ),
      })),
    },
  })['k.json'] as string;
}, 60_000);

afterAll(async () => ws?.close());

describe.each(['airbyte', 'singer'] as const)('%s: metrics by difference', (protocol) => {
  let first: CliResult;
  let idle: CliResult;
  let idleChildRequests: number;

  it('an idle sync emits no metrics record and asks nothing under parents that did not move', async () => {
    ws.sim.resetStats();
    first = await runCli(readArgs(protocol, undefined));
    expect(first.code, first.stderr.slice(-800)).toBe(0);
    const firstRequests = ws.sim.stats().requests;
    const firstChildRequests = childRequests();
    expect(firstChildRequests).toBeGreaterThan(50);
    expect(recordsOf(first.messages).length).toBeGreaterThan(1000);

    ws.sim.resetStats();
    idle = await runCli(readArgs(protocol, stateInput(first, protocol)));
    expect(idle.code, idle.stderr.slice(-800)).toBe(0);
    expect(recordsOf(idle.messages)).toEqual([]);
    idleChildRequests = childRequests();
    expect(Object.entries(ws.sim.stats().byPath).filter(([route]) => CHILD_PATHS.some((p) => p.test(route.replace(/:[a-z_]+/g, '1'))))).toEqual([]);
    expect(idleChildRequests).toBe(0);
    expect(ws.sim.stats().requests).toBeLessThan(firstRequests - firstChildRequests + 1);
  });

  it(
    'after the counts grew, the fold of every sync equals a fresh read of the window, with children read only under parents that moved',
    { timeout: 180_000 },
    async () => {
      ws.sim.advance(6 * 3600);
      ws.sim.resetStats();
      const grown = await runCli(readArgs(protocol, stateInput(idle, protocol)));
      expect(grown.code, grown.stderr.slice(-800)).toBe(0);
      const grownChildRequests = childRequests();
      const fresh = await runCli(readArgs(protocol, undefined));
      expect(fresh.code).toBe(0);
      const now = fold(fresh);
      const folded = fold(first, idle, grown);
      // Every row of the lookback a fresh read has, the destination holds with the same counts
      // (older buckets are not read again, by design: metrics_lookback_days).
      const inLookback = (key: string, row: Row): boolean => {
        const stream = key.split(' ')[0] as string;
        const bookmark = Date.parse(String(stateOf(idle, protocol, stream)?.['period_start'])) / 1000;
        return Date.parse(row['period_start']) / 1000 >= bookmark - LOOKBACK_DAYS * DAY + DAY;
      };
      const before = fold(first);
      let differing = 0;
      for (const [key, row] of now) {
        if (!inLookback(key, row)) continue;
        expect(folded.get(key), key).toEqual(row);
        if (JSON.stringify(before.get(key)) !== JSON.stringify(row)) differing++;
      }
      // The growth moved some counts, and the grown sync sent what moved, not everything.
      expect(differing).toBeGreaterThan(0);
      expect(recordsOf(grown.messages).length).toBeLessThan(recordsOf(first.messages).length);
      expect(grownChildRequests).toBeGreaterThan(0);
    },
  );
});
