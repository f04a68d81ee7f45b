import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import type { TapConfig } from '../config.js';
import { allSelections, defaultSelections, parseAirbyteCatalog, parseSingerCatalog } from '../engine/catalog.js';
import { DEFAULT_CONCURRENCY, newSyncContext, SERIAL, type Concurrency } from '../engine/context.js';
import { migrateStreamState, parseAirbyteState, parseSingerState, StateStore } from '../engine/state.js';
import { checkStreamState, runSync, type Selection } from '../engine/sync.js';
import { asTapError, TapError } from '../errors.js';
import type { AttemptInfo, HttpStats } from '../http/client.js';
import { readJsonFile } from '../json-file.js';
import { loadSchema } from '../engine/schemas.js';
import { parseStreamMaps } from '../engine/stream-maps.js';
import { ALL_STREAMS } from '../streams/index.js';
import type { StreamStatus, TapEvent } from '../protocol/events.js';
import { connect } from './connect.js';
import { estimateEvents } from './estimates.js';
import { Progress } from './progress.js';
import { singerCounter, singerTimer } from './singer-metrics.js';
import type { Session } from './session.js';

export interface ReadPaths {
  config: string | readonly string[];
  catalog?: string;
  state?: string;
}

export interface ReadInputs {
  config: TapConfig;
  selections: Selection[];
  state: Record<string, unknown>;
}

export interface StreamSummary {
  records: number;
  /** Field → values that fit no type the schema declares and were emitted as null. */
  nulled: Record<string, number>;
  states: number;
  status: StreamStatus | 'PENDING';
  error?: string;
}

export interface ReadSummary {
  region: string;
  streams: Record<string, StreamSummary>;
  failed: string[];
  http: HttpStats;
  requestsPerSecond: number;
  budgetUsed: number;
  durationMs: number;
}

/** Reads and checks every input file before a single line is written. */
export function loadReadInputs(session: Session, paths: ReadPaths): ReadInputs {
  const config = session.loadConfig(paths.config);
  const catalogRole = { code: 'CATALOG_INVALID', what: 'catalog file', flag: '--catalog' } as const;
  let selections: Selection[];
  if (paths.catalog !== undefined) {
    const raw = readJsonFile(paths.catalog, catalogRole);
    selections = session.protocol === 'airbyte' ? parseAirbyteCatalog(raw, paths.catalog) : parseSingerCatalog(raw, paths.catalog);
  } else if (session.protocol === 'airbyte') {
    throw new TapError('USAGE', 'read needs --catalog', { hint: 'Pass the configured catalog: read --config C --catalog K' });
  } else {
    selections = defaultSelections();
  }
  selections = withStreamMaps(selections, config.stream_maps, session.protocol === 'singer');
  let state: Record<string, unknown> = {};
  if (paths.state !== undefined) {
    const raw = readJsonFile(paths.state, { code: 'STATE_INVALID', what: 'state file', flag: '--state' });
    const warn = (message: string): void => session.logger.log('WARN', message);
    state = session.protocol === 'airbyte' ? parseAirbyteState(raw, paths.state, warn) : parseSingerState(raw, paths.state);
    for (const selection of selections) {
      const name = selection.def.name;
      const migrated = migrateStreamState(selection.def, state[name], warn);
      if (migrated === undefined) delete state[name];
      else state[name] = migrated;
      checkStreamState(selection.def, state[name], paths.state);
    }
    const unknown = Object.keys(state).filter((name) => !selections.some((s) => s.def.name === name));
    if (unknown.length > 0) session.logger.log('INFO', `State for streams not being synced is kept as is: ${unknown.join(', ')}`);
  }
  return { config, selections, state };
}

export interface ReadOptions {
  concurrency?: Concurrency;
  /** Records per stream at most (a sample: no state is written). */
  recordLimit?: number;
  /** Every stream, whatever the catalog says (Singer --test). */
  allStreams?: boolean;
}

/** Attaches the config's stream maps to the selected streams; a map outside the subset stops here. */
function withStreamMaps(selections: Selection[], raw: unknown, allowAlias: boolean): Selection[] {
  if (raw === undefined || raw === null) return selections;
  const known = new Map(
    ALL_STREAMS.map((def) => [
      def.name,
      {
        properties: Object.keys((loadSchema(def) as { properties?: object }).properties ?? {}),
        keys: def.primaryKey.map((path) => path[0] as string),
      },
    ]),
  );
  const maps = parseStreamMaps(raw, known, allowAlias);
  return selections.map((selection) => {
    const map = maps.get(selection.def.name);
    return map ? { ...selection, map } : selection;
  });
}

export async function readCommand(session: Session, paths: ReadPaths, abort: AbortController, options: ReadOptions = {}): Promise<number> {
  let inputs: ReadInputs;
  try {
    inputs = loadReadInputs(session, paths);
    if (options.allStreams) inputs = { ...inputs, selections: allSelections(), state: {} };
  } catch (error) {
    return session.fail(error);
  }
  try {
    const summary = await executeRead(session, inputs, abort, options);
    await session.output.end();
    if (session.output.closed) {
      session.output.writeStderr(`stdout was closed by its reader (${session.output.closed}); the sync stopped. The last STATE it read covers everything before it.\n`);
      return 1;
    }
    return summary.failed.length > 0 ? 1 : 0;
  } catch (error) {
    return session.fail(error);
  }
}

/** Runs a sync and writes it out; returns what happened, per stream and over HTTP. */
export async function executeRead(
  session: Session,
  inputs: ReadInputs,
  abort: AbortController,
  options: ReadOptions = {},
): Promise<ReadSummary> {
  const { runtime, logger, output } = session;
  const started = runtime.clock.now();
  // Every in-flight request listens on the one abort signal.
  setMaxListeners(0, abort.signal);
  output.whenClosed((reason) => abort.abort(new TapError('OUTPUT_CLOSED', `stdout was closed by the consumer (${reason})`)));
  const streams: Record<string, StreamSummary> = {};
  for (const { def } of inputs.selections) streams[def.name] = { records: 0, nulled: {}, states: 0, status: 'PENDING' };
  const singer = session.protocol === 'singer';
  let announcedUntil = 0;
  const connection = await connect({
    config: inputs.config,
    runtime,
    logger,
    signal: abort.signal,
    probe: false,
    onRateLimited: (until) => {
      // One notice per pause, not one per 429 of a storm.
      if (until <= announcedUntil) return;
      announcedUntil = until;
      announceRateLimit(session, streams, until);
    },
    ...(singer ? { onAttempt: (attempt: AttemptInfo) => logger.log('INFO', singerTimer(attempt)) } : {}),
  });
  if (connection.region !== 'base_url') logger.log('INFO', `Reading from the ${connection.region.toUpperCase()} region`);
  const ctx = newSyncContext({
    api: connection.api,
    config: inputs.config,
    logger,
    clock: runtime.clock,
    signal: abort.signal,
    concurrency: options.concurrency ?? (options.recordLimit === undefined ? DEFAULT_CONCURRENCY : SERIAL),
    ...(options.recordLimit === undefined ? {} : { recordLimit: options.recordLimit }),
  });
  const failures: TapError[] = [];
  const progress = new Progress(runtime.stderr, () => connection.api.stats.requests);
  try {
    // Airbyte only (Singer has no estimate message), and asked beside the data, not before it:
    // a request that must come back before the first data request leaves the budget idle for a round trip.
    let estimates: TapEvent[] | undefined;
    const asking =
      options.recordLimit === undefined && !singer
        ? estimateEvents(connection.api, connection.workspaces, inputs.selections, logger).then((events) => (estimates = events))
        : undefined;
    const emitEstimates = async (): Promise<void> => {
      if (!estimates) return;
      for (const estimate of estimates.splice(0)) await output.emit(estimate);
    };
    for await (const event of runSync(ctx, inputs.selections, new StateStore(inputs.state))) {
      await emitEstimates();
      tally(streams, event, failures);
      if (event.kind === 'records') progress.add(event.stream, event.records.length);
      if (singer && event.kind === 'status' && (event.status === 'COMPLETE' || event.status === 'INCOMPLETE')) {
        logger.log('INFO', singerCounter(event.stream, streams[event.stream]?.records ?? 0));
      }
      if (output.closed) continue;
      const wait = output.emit(event);
      if (wait) await wait;
    }
    await asking;
    if (!output.closed) await emitEstimates();
  } finally {
    progress.stop();
    await connection.api.close();
  }

  const http = connection.api.stats;
  const span = http.firstAt !== undefined && http.lastAt !== undefined ? (http.lastAt - http.firstAt) / 1000 : 0;
  const requestsPerSecond = http.requests > 1 && span > 0 ? (http.requests - 1) / span : 0;
  const budgetUsed = requestsPerSecond / inputs.config.requests_per_second;
  const records = Object.values(streams).reduce((sum, s) => sum + s.records, 0);
  const cpu = process.cpuUsage();
  logger.log(
    'INFO',
    `Read ${records} records from ${inputs.selections.length} streams with ${http.requests} requests in ${span.toFixed(1)} s: ` +
      `${requestsPerSecond.toFixed(2)} requests/s (${Math.round(budgetUsed * 100)}% of the ${inputs.config.requests_per_second}/s budget), ${http.rateLimited} rate-limited (429); ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s, peak RSS ${peakRssMegabytes()} MB`,
  );
  const nulled = Object.entries(streams).flatMap(([name, s]) => Object.entries(s.nulled).map(([field, count]) => `${name}.${field} ×${count}`));
  if (nulled.length > 0) logger.log('WARN', `Values emitted as null because they fit no type their schema declares: ${nulled.join(', ')}`);
  const failed = Object.entries(streams)
    .filter(([, s]) => s.status !== 'COMPLETE')
    .map(([name]) => name);
  if (failed.length > 0 && !output.closed) {
    const worst = failures.find((f) => f.failureType === 'config_error') ?? failures[0];
    const summary = new TapError(worst?.code ?? 'INTERNAL', `${failed.length} of ${inputs.selections.length} streams did not complete: ${failed.join(', ')}`, {
      hint: worst ? `First problem: ${worst.userMessage}` : 'See the errors above',
    });
    await output.emit({ kind: 'error', error: summary });
  }
  return { region: connection.region, streams, failed, http: { ...http }, requestsPerSecond, budgetUsed, durationMs: runtime.clock.now() - started };
}

/**
 * The process's own peak resident memory. getrusage's maxRSS survives exec on Linux, so a tap
 * started by a large parent reported the parent's peak; /proc/self/status VmHWM is this process's.
 */
function peakRssMegabytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.round(Number(match[1]) / 1024);
  } catch {
    // not Linux: fall back below
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** While every request waits out a 429, running streams say so (Airbyte RATE_LIMITED). */
function announceRateLimit(session: Session, streams: Record<string, StreamSummary>, until: number): void {
  if (session.protocol !== 'airbyte' || session.output.closed) return;
  for (const [stream, summary] of Object.entries(streams)) {
    if (summary.status === 'RUNNING' || summary.status === 'STARTED') {
      void session.output.emit({ kind: 'status', stream, status: 'RUNNING', rateLimitedUntil: until });
    }
  }
}

function tally(streams: Record<string, StreamSummary>, event: TapEvent, failures: TapError[]): void {
  switch (event.kind) {
    case 'records': {
      const s = streams[event.stream];
      if (!s) return;
      s.records += event.records.length;
      for (const fields of event.changes ?? []) for (const field of fields ?? []) s.nulled[field] = (s.nulled[field] ?? 0) + 1;
      return;
    }
    case 'state': {
      const s = streams[event.stream];
      if (s) s.states++;
      return;
    }
    case 'status': {
      const s = streams[event.stream];
      if (s) s.status = event.status;
      return;
    }
    case 'error': {
      failures.push(asTapError(event.error));
      const s = event.stream ? streams[event.stream] : undefined;
      if (s) s.error = event.error.userMessage;
      return;
    }
    default:
      return;
  }
}
