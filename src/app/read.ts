import { setMaxListeners } from 'node:events';
import { allSelections } from '../engine/catalog.js';
import { DEFAULT_CONCURRENCY, newSyncContext, SERIAL, type Concurrency } from '../engine/context.js';
import { StateStore } from '../engine/state.js';
import { runSync } from '../engine/sync.js';
import { asTapError, TapError } from '../errors.js';
import type { AttemptInfo } from '../http/client.js';
import type { Logger } from '../logger.js';
import { DELETED_AT_FIELD, type TapEvent } from '../protocol/events.js';
import { ALL_STREAMS } from '../streams/index.js';
import { configuredSelections, engineSettings } from '../streams/settings.js';
import { connect } from './connect.js';
import { estimateEvents, workspaceCounts } from './estimates.js';
import { Progress } from './progress.js';
import { singerCounter, singerTimer } from './singer-metrics.js';
import { loadReadInputs, type ReadInputs, type ReadPaths } from './read-inputs.js';
import { failedStreams, logSummary, nulledWarnings, tally, type ReadSummary, type StreamSummary } from './read-summary.js';
import type { Session } from './session.js';

export type { ReadSummary };

export interface ReadOptions {
  concurrency?: Concurrency;
  /** Records per stream at most (a sample: no state is written). */
  recordLimit?: number;
  /** Every stream, whatever the catalog says (Singer --test). */
  allStreams?: boolean;
}

export async function readCommand(session: Session, paths: ReadPaths, abort: AbortController, options: ReadOptions = {}): Promise<number> {
  let inputs: ReadInputs;
  try {
    inputs = loadReadInputs(session, paths);
    if (options.allStreams) inputs = { ...inputs, selections: allSelections(ALL_STREAMS), state: {} };
  } catch (error) {
    return session.fail(error);
  }
  try {
    const summary = await executeRead(session, inputs, abort, options);
    await session.output.end();
    if (session.output.closed) {
      session.output.writeStderr(
        `stdout was closed by its reader (${session.output.closed}); the sync stopped. The last STATE it read covers everything before it.\n`,
      );
      return 1;
    }
    return summary.error ? 1 : 0;
  } catch (error) {
    return session.fail(error);
  }
}

/** Runs a sync and writes it out; returns what happened, per stream and over HTTP. */
export async function executeRead(session: Session, inputs: ReadInputs, abort: AbortController, options: ReadOptions = {}): Promise<ReadSummary> {
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
    ...engineSettings(inputs.config),
    logger,
    clock: runtime.clock,
    signal: abort.signal,
    concurrency: options.concurrency ?? (options.recordLimit === undefined ? DEFAULT_CONCURRENCY : SERIAL),
    ...(options.recordLimit === undefined ? {} : { recordLimit: options.recordLimit }),
    deletes: { field: DELETED_AT_FIELD[session.protocol], emit: inputs.config.emit_deletes, maxKeys: inputs.config.deletes_max_keys },
  });
  const failures: TapError[] = [];
  // One request for the counts at most, shared by the row estimates and people_source auto.
  const counts = workspaceCounts(connection.api, connection.workspaces, logger);
  const progress = new Progress(runtime.stderr, () => connection.api.stats.requests);
  try {
    // Airbyte only (Singer has no estimate message), and asked beside the data, not before it:
    // a request that must come back before the first data request leaves the budget idle for a round trip.
    let estimates: TapEvent[] | undefined;
    const asking = options.recordLimit === undefined && !singer ? estimateEvents(counts, inputs.selections).then((events) => (estimates = events)) : undefined;
    const emitEstimates = async (): Promise<void> => {
      if (!estimates) return;
      for (const estimate of estimates.splice(0)) await output.emit(estimate);
    };
    for await (const event of runSync(ctx, configuredSelections(inputs.selections, inputs.config, counts), new StateStore(inputs.state))) {
      await emitEstimates();
      tally(streams, event, failures);
      if (event.kind === 'records') progress.add(event.stream, event.records.length);
      if (event.kind === 'status' && (event.status === 'COMPLETE' || event.status === 'INCOMPLETE')) {
        for (const warning of nulledWarnings(event.stream, streams[event.stream])) logger.log('WARN', warning);
        if (singer) logger.log('INFO', singerCounter(event.stream, streams[event.stream]?.records ?? 0));
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
  const stop = abort.signal.aborted ? asTapError(abort.signal.reason) : undefined;
  // After a stop the protocol output ends on the last STATEs and the error trace; the closing
  // figures go to stderr, where both protocols' orchestrators keep the logs.
  const summaryLogger: Logger = stop ? { log: (level, message) => output.writeStderr(`${level} ${message}\n`) } : logger;
  const { requestsPerSecond, budgetUsed } = logSummary(summaryLogger, streams, http, inputs.config.requests_per_second);
  const { failed, error } = failedStreams(streams, failures, stop);
  if (error && !output.closed) await output.emit({ kind: 'error', error });
  return {
    region: connection.region,
    streams,
    failed,
    ...(error ? { error } : {}),
    http: { ...http },
    requestsPerSecond,
    budgetUsed,
    durationMs: runtime.clock.now() - started,
  };
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
