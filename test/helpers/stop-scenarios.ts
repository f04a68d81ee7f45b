import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { DeletedEntity } from 'customerio-simulator';
import { configuredCatalog } from './catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from './cli.js';
import { testWorkspace, type TestWorkspace } from './simulator.js';

/**
 * Stops real reads with SIGTERM or SIGINT at many points, then restarts them from their last
 * STATE: the stop must be clean (non-zero exit, the output ending on the last STATEs and a trace
 * or, in Singer, a STATE and a log line, no stack, no unhandled failure) and nothing may be lost.
 */
type Row = Record<string, any>;
export type Protocol = 'airbyte' | 'singer';
type Mode = 'incremental' | 'full_refresh';

const DAY = 86_400;
const iso = (t: number): string => new Date(t * 1000).toISOString();

/** When, in a read, the signal goes out. */
export type Trigger =
  | { after: 'first-state'; delayMs: number }
  | { after: 'records'; count: number }
  | { after: 'first-record-of'; stream: string; delayMs: number }
  | { after: 'start'; delayMs: number };

export interface Scenario {
  name: string;
  streams: Record<string, Mode>;
  config?: Row;
  /** The state the stopped run starts from (a sync before deletes, for tombstones). */
  startState?: (protocol: Protocol) => unknown;
  /** The primary keys each stream must have delivered once the stopped run and its restart are put together. */
  expected: () => Record<string, Set<string>>;
  /** Primary key of a record of a stream, as text. */
  keyOf: (stream: string, record: Row) => string;
}

export interface StopWorld {
  ws: TestWorkspace;
  startDate: number;
  configFor(extra?: Row): string;
  catalogFor(protocol: Protocol, streams: Record<string, Mode>): Promise<string>;
  close(): Promise<void>;
}

export async function stopWorld(options: { seed: number }): Promise<StopWorld> {
  const ws = await testWorkspace({ scale: 'medium', seed: options.seed, latencyMs: 20, rateLimit: 0 });
  const startDate = ws.sim.now() - 200 * DAY;
  const configFor = (extra: Row = {}): string =>
    writeFiles({ 'c.json': { ...ws.config, start_date: iso(startDate), requests_per_second: 40, state_every_records: 1500, ...extra } })['c.json'] as string;
  const base = configFor();
  const singer = JSON.parse((await runCli(['--config', base, '--discover'])).stdout) as Row;
  const catalogFor = async (protocol: Protocol, streams: Record<string, Mode>): Promise<string> => {
    if (protocol === 'airbyte') return writeFiles({ 'k.json': await configuredCatalog(base, streams) })['k.json'] as string;
    const catalog = {
      streams: (singer['streams'] as Row[]).map((stream) => ({
        ...stream,
        metadata: (stream['metadata'] as Row[]).map((entry) => {
          if (entry['breadcrumb'].length > 0) return entry;
          const mode = streams[stream['tap_stream_id'] as string];
          return {
            ...entry,
            metadata: { ...entry['metadata'], selected: mode !== undefined, 'replication-method': mode === 'incremental' ? 'INCREMENTAL' : 'FULL_TABLE' },
          };
        }),
      })),
    };
    return writeFiles({ 'k.json': catalog })['k.json'] as string;
  };
  return { ws, startDate, configFor, catalogFor, close: () => ws.close() };
}

export function readArgs(protocol: Protocol, config: string, catalog: string, state: unknown): string[] {
  const args = protocol === 'airbyte' ? ['read', '--config', config, '--catalog', catalog] : ['--config', config, '--catalog', catalog];
  if (state !== undefined) args.push('--state', writeFiles({ 's.json': state })['s.json'] as string);
  return args;
}

/** What the next run is given as --state: every stream's last STATE (Airbyte), or the last STATE's value (Singer). */
export function stateInput(result: CliResult, protocol: Protocol): unknown {
  const states = ofType(result.messages, 'STATE');
  if (states.length === 0) return undefined;
  if (protocol === 'singer') return states.at(-1)?.['value'];
  const byStream = new Map<string, Row>();
  for (const m of states) byStream.set(m['state']['stream']['stream_descriptor']['name'], m['state']);
  return [...byStream.values()];
}

/**
 * What the platform hands the restart: Airbyte keeps each stream's last STATE, so a stream that
 * wrote none in the stopped run keeps the one it started from; a Singer STATE is the whole state.
 */
function restartState(started: unknown, stopped: CliResult, protocol: Protocol): unknown {
  const latest = stateInput(stopped, protocol);
  if (protocol === 'singer' || !Array.isArray(started)) return latest ?? started;
  const byStream = new Map<string, Row>();
  for (const state of [...(started as Row[]), ...((latest as Row[] | undefined) ?? [])]) byStream.set(state['stream']['stream_descriptor']['name'], state);
  return [...byStream.values()];
}

function signalWhen(trigger: Trigger, signal: NodeJS.Signals): { onMessage: (m: Row, child: ChildProcess) => void; onStart: (child: ChildProcess) => void } {
  let sent = false;
  let records = 0;
  const send = (child: ChildProcess, delayMs: number): void => {
    if (sent) return;
    sent = true;
    setTimeout(() => child.kill(signal), delayMs);
  };
  return {
    onStart: (child) => {
      if (trigger.after === 'start') send(child, trigger.delayMs);
    },
    onMessage: (m, child) => {
      if (trigger.after === 'first-state' && m['type'] === 'STATE') send(child, trigger.delayMs);
      if (m['type'] !== 'RECORD') return;
      if (trigger.after === 'records' && ++records >= trigger.count) send(child, 0);
      const stream = m['stream'] ?? m['record']?.['stream'];
      if (trigger.after === 'first-record-of' && stream === trigger.stream) send(child, trigger.delayMs);
    },
  };
}

const STACK_LINE = /\n\s+at .+:\d+:\d+/;

/** Runs a scenario stopped by `signal` at `trigger`, checks the stop, restarts it and checks nothing was lost. */
export async function stopAndRestart(world: StopWorld, scenario: Scenario, protocol: Protocol, signal: NodeJS.Signals, trigger: Trigger): Promise<void> {
  const config = world.configFor(scenario.config);
  const catalog = await world.catalogFor(protocol, scenario.streams);
  const when = signalWhen(trigger, signal);
  let started = false;
  const stopped = await runCli(readArgs(protocol, config, catalog, scenario.startState?.(protocol)), {
    timeoutMs: 120_000,
    onMessage: (m, child) => {
      if (!started) {
        started = true;
        when.onStart(child);
      }
      when.onMessage(m, child);
    },
  });
  const where = `${scenario.name} ${protocol} ${signal} ${JSON.stringify(trigger)}`;
  expect(stopped.signal, where).toBeNull();
  expect(stopped.code, `${where}: the read ended before the signal, or crashed\n${stopped.stderr.slice(-800)}`).toBe(1);
  expect(stopped.stderr, where).not.toMatch(STACK_LINE);
  expect(stopped.stdout, where).not.toMatch(STACK_LINE);
  // The safety net is there for bugs; a stop that needs it is one.
  expect(`${stopped.stdout}${stopped.stderr}`, where).not.toMatch(/UNHANDLED|unhandled/);
  expectCleanEnding(stopped, protocol, signal, Object.keys(scenario.streams), where);

  const resumed = await runCli(readArgs(protocol, config, catalog, restartState(scenario.startState?.(protocol), stopped, protocol)), { timeoutMs: 180_000 });
  expect(resumed.code, `${where}: restart\n${resumed.stderr.slice(-800)}`).toBe(0);
  const expected = scenario.expected();
  for (const [stream, keys] of Object.entries(expected)) {
    const got = new Set([...recordsOf(stopped.messages, stream), ...recordsOf(resumed.messages, stream)].map((r) => scenario.keyOf(stream, r)));
    const missing = [...keys].filter((k) => !got.has(k));
    const extra = [...got].filter((k) => !keys.has(k));
    expect({ stream, missing: missing.slice(0, 5), missingCount: missing.length, extra: extra.slice(0, 5), extraCount: extra.length }, where).toEqual({
      stream,
      missing: [],
      missingCount: 0,
      extra: [],
      extraCount: 0,
    });
  }
}

/**
 * Airbyte: every stream ends on its STATE (covering every record it emitted) and a status, and the
 * output on one error trace naming the stop. Singer: stdout ends on a STATE and stderr says why.
 */
function expectCleanEnding(result: CliResult, protocol: Protocol, signal: NodeJS.Signals, streams: string[], where: string): void {
  const messages = result.messages.filter((m) => m['type'] !== 'LOG');
  if (protocol === 'airbyte') {
    const last = messages.at(-1);
    expect(last?.['type'], where).toBe('TRACE');
    expect(last?.['trace']?.['type'], where).toBe('ERROR');
    expect(last?.['trace']?.['error']?.['internal_message'], where).toMatch(new RegExp(`^INTERRUPTED: Stopped by ${signal}`));
    expect(
      ofType(messages, 'TRACE').filter((m) => m['trace']['type'] === 'ERROR'),
      `${where}: one error trace`,
    ).toHaveLength(1);
    const statuses = ofType(messages, 'TRACE').filter((m) => m['trace']['type'] === 'STREAM_STATUS');
    expect(
      statuses.some((m) => m['trace']['stream_status']['status'] === 'INCOMPLETE'),
      where,
    ).toBe(true);
    for (const stream of streams) {
      const of = (m: Row): string | undefined =>
        m['record']?.['stream'] ?? m['state']?.['stream']?.['stream_descriptor']?.['name'] ?? m['trace']?.['stream_status']?.['stream_descriptor']?.['name'];
      const own = messages.filter((m) => of(m) === stream);
      const lastRecord = own.findLastIndex((m) => m['type'] === 'RECORD');
      const lastState = own.findLastIndex((m) => m['type'] === 'STATE');
      // A stream stopped before its first record owes no STATE: the restart starts where this run did.
      if (lastRecord >= 0) expect(lastState, `${where}: ${stream} ends on a STATE after its last record`).toBeGreaterThan(lastRecord);
      const counted = own.filter((m) => m['type'] === 'STATE').reduce((sum, m) => sum + m['state']['sourceStats']['recordCount'], 0);
      expect(counted, `${where}: ${stream} states count every record`).toBe(own.filter((m) => m['type'] === 'RECORD').length);
      expect(own.at(-1)?.['type'], `${where}: ${stream} ends on its status`).toBe('TRACE');
    }
  } else {
    const last = messages.at(-1);
    if (messages.some((m) => m['type'] === 'RECORD')) expect(last?.['type'], `${where}: stdout ends on a STATE`).toBe('STATE');
    expect(result.stderr, where).toMatch(new RegExp(`Stopped by ${signal}: \\d+ of \\d+ streams did not complete.*last STATE`));
  }
}

/** Text of a primary key, whatever JSON type each part came in. */
export const keyText = (parts: unknown[]): string => parts.map((p) => String(p)).join('|');

/** The deletes of the tombstone scenario: a campaign with its actions, and one action of another. */
export function campaignDeletes(ws: TestWorkspace): DeletedEntity[] {
  const truth = ws.sim.truth;
  const campaigns = (truth.campaigns() as Row[]).filter((c) => (truth.campaignActions(c['id']) as Row[]).length >= 2);
  const [gone, other] = campaigns.slice(-2) as [Row, Row];
  return [
    { kind: 'campaign', id: gone['id'] },
    { kind: 'campaign_action', id: (truth.campaignActions(other['id']) as Row[])[0]?.['id'], parent: other['id'] },
  ];
}
