import { expect } from 'vitest';
import type { ValidateFunction } from 'ajv';
import type { Simulator } from 'customerio-simulator';
import { configuredCatalog } from './catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from './cli.js';
import { testWorkspace, type TestWorkspace } from './simulator.js';
import { strictAjv } from './strict-ajv.js';

/**
 * Syncs of one stream read from a change feed (people, objects), black-box: the built CLI
 * against a medium simulator over HTTP, in either protocol, each sync from the last one's state.
 *
 * The simulator's clock stands an hour behind the real one, and the tap's bookmark is the real
 * time a sync started: before each change batch the workspace clock is moved to just behind the
 * real one, so changes are dated after the last sync started and before the next one does.
 */
export type Row = Record<string, any>;
export type Protocol = 'airbyte' | 'singer';

export const DAY = 86_400;
export const DELETED_AT: Record<Protocol, string> = { airbyte: '_ab_cdc_deleted_at', singer: '_sdc_deleted_at' };
export const realNow = (): number => Math.floor(Date.now() / 1000);

export interface Setup {
  protocol: Protocol;
  stream: string;
  ws: TestWorkspace;
  configFor(extra?: Row): string;
  catalog: string;
  /** The stream's schema the Airbyte catalog declares (Singer: each run's SCHEMA message). */
  airbyteSchema: object | undefined;
}

export async function setup(protocol: Protocol, stream: string, options: { stateEvery?: number } = {}): Promise<Setup> {
  const ws = await testWorkspace({ scale: 'medium', rateLimit: 0 });
  const configFor = (extra: Row = {}): string =>
    writeFiles({ 'c.json': { ...ws.config, requests_per_second: 100, ...(options.stateEvery ? { state_every_records: options.stateEvery } : {}), ...extra } })[
      'c.json'
    ] as string;
  const config = configFor();
  if (protocol === 'airbyte') {
    const catalog = (await configuredCatalog(config, { [stream]: 'incremental' })) as { streams: Row[] };
    const file = writeFiles({ 'a.json': catalog })['a.json'] as string;
    return { protocol, stream, ws, configFor, catalog: file, airbyteSchema: catalog.streams[0]?.['stream']['json_schema'] };
  }
  const discovered = JSON.parse((await runCli(['--config', config, '--discover'])).stdout) as Row;
  const singer = {
    streams: (discovered['streams'] as Row[])
      .filter((s) => s['tap_stream_id'] === stream)
      .map((s) => ({
        ...s,
        metadata: (s['metadata'] as Row[]).map((m) =>
          m['breadcrumb'].length > 0 ? m : { ...m, metadata: { ...m['metadata'], selected: true, 'replication-method': 'INCREMENTAL' } },
        ),
      })),
  };
  return { protocol, stream, ws, configFor, catalog: writeFiles({ 's.json': singer })['s.json'] as string, airbyteSchema: undefined };
}

export interface Sync {
  result: CliResult;
  records: Row[];
  /** Records before the last STATE: what a destination has committed when the tap dies. */
  committed: Row[];
  /** The stream's last state, and what the next run is given as --state. */
  streamState: Row | undefined;
  next: unknown;
  logs: string[];
  /** API requests by route during this sync. */
  requests: Record<string, number>;
}

/** One sync; SIGKILLed once `killAfter` records have come out, if given. Every record is checked against the declared schema. */
export async function sync(s: Setup, state: unknown, options: { config?: string; killAfter?: number } = {}): Promise<Sync> {
  const config = options.config ?? s.configFor();
  const args = s.protocol === 'airbyte' ? ['read', '--config', config, '--catalog', s.catalog] : ['--config', config, '--catalog', s.catalog];
  if (state !== undefined) args.push('--state', writeFiles({ 'state.json': state })['state.json'] as string);
  s.ws.sim.resetStats();
  let seen = 0;
  const result = await runCli(args, {
    timeoutMs: 180_000,
    onMessage: (message, child) => {
      if (options.killAfter === undefined || message['type'] !== 'RECORD') return;
      if (++seen === options.killAfter) child.kill('SIGKILL');
    },
  });
  const requests = { ...s.ws.sim.stats().byPath };
  if (options.killAfter === undefined) expect(result.code, result.stderr.slice(-2000)).toBe(0);
  const lastState = result.messages.findLastIndex((m) => m['type'] === 'STATE');
  const last = result.messages[lastState];
  const streamState = s.protocol === 'airbyte' ? last?.['state']?.['stream']?.['stream_state'] : last?.['value']?.['bookmarks']?.[s.stream];
  const logs =
    s.protocol === 'airbyte'
      ? ofType(result.messages, 'LOG').map((m) => `${m['log']['level']} ${m['log']['message']}`)
      : result.stderr
          .split('\n')
          .filter((line) => /^(INFO|WARNING) /.test(line))
          .map((line) => line.replace(/^WARNING /, 'WARN '));
  const out: Sync = {
    result,
    records: recordsOf(result.messages, s.stream),
    committed: recordsOf(result.messages.slice(0, Math.max(0, lastState)), s.stream),
    streamState,
    next: last === undefined ? state : s.protocol === 'airbyte' ? [last['state']] : last['value'],
    logs,
    requests,
  };
  expectValid(s, result, out.records);
  return out;
}

/** Every record fits the schema the tap declared for it, with strict Ajv, and carries an integer changed_at. */
const validators = new WeakMap<object, ValidateFunction>();
function expectValid(s: Setup, result: CliResult, records: Row[]): void {
  const schema = s.airbyteSchema ?? ofType(result.messages, 'SCHEMA').find((m) => m['stream'] === s.stream)?.['schema'];
  if (records.length === 0) return;
  expect(schema).toBeDefined();
  let validate = validators.get(schema as object);
  if (!validate) {
    validate = strictAjv().compile(schema as object);
    validators.set(schema as object, validate);
  }
  for (const record of records) expect(validate(record), `${JSON.stringify(validate.errors)} in ${JSON.stringify(record).slice(0, 200)}`).toBe(true);
  for (const record of records) expect(Number.isInteger(record['changed_at'])).toBe(true);
}

/** What a destination holds after these runs: per key the newest changed_at (a later run wins a tie), tombstoned rows removed. */
export function fold(runs: Row[][], deletedAt: string, keyOf: (record: Row) => string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const records of runs) {
    for (const record of records) {
      const key = keyOf(record);
      const before = rows.get(key);
      if (before === undefined || record['changed_at'] >= before['changed_at']) rows.set(key, record);
    }
  }
  for (const [key, record] of rows) if (record[deletedAt] !== undefined && record[deletedAt] !== null) rows.delete(key);
  return rows;
}

export const live = (records: Row[], deletedAt: string): Row[] => records.filter((r) => r[deletedAt] === undefined || r[deletedAt] === null);
export const tombstones = (records: Row[], deletedAt: string): Row[] => records.filter((r) => r[deletedAt] !== undefined && r[deletedAt] !== null);
export const feedRequests = (s: Sync): number => s.requests['/v1/activities'] ?? 0;

/**
 * Moves the workspace clock to `to` (default: a second behind the real clock) and applies an
 * empty batch there (`mark`), so the next batch's changes are dated after it.
 */
export function clockTo(sim: Simulator, mark: (sim: Simulator) => void, to = realNow() - 1): void {
  if (to > sim.now()) sim.advance(to - sim.now());
  mark(sim);
}

/**
 * The next batch's changes dated after `bookmark` (the start of the last sync) and before the
 * next sync starts: an empty batch just after the bookmark, then the clock a second behind the
 * real one, waiting until that is later.
 */
export async function clockPast(sim: Simulator, mark: (sim: Simulator) => void, bookmark: number): Promise<void> {
  while (realNow() - 1 <= bookmark + 1) await new Promise((resolve) => setTimeout(resolve, 250));
  clockTo(sim, mark, bookmark + 1);
  clockTo(sim, mark);
}

/** The same state with the stream's bookmark(s) moved, in the protocol's state shape. */
export function withStreamState(s: Setup, state: unknown, change: (value: Row) => Row): unknown {
  if (s.protocol === 'airbyte') return (state as Row[]).map((m) => ({ ...m, stream: { ...m['stream'], stream_state: change(m['stream']['stream_state']) } }));
  return { ...(state as Row), bookmarks: { ...(state as Row)['bookmarks'], [s.stream]: change((state as Row)['bookmarks'][s.stream]) } };
}

/** JSON with keys sorted at every level: records compared whatever order their fields came in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
