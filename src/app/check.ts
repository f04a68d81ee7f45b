import { setMaxListeners } from 'node:events';
import { engineSettings } from '../streams/settings.js';
import { DEFAULT_CONCURRENCY, newSyncContext, type SyncContext } from '../engine/context.js';
import { probeStream, type ProbeResult } from '../engine/probe.js';
import { isPartitioned, type Row, type StreamDef } from '../engine/stream.js';
import { asTapError, type TapError } from '../errors.js';
import { line } from '../protocol/airbyte.js';
import { ALL_STREAMS } from '../streams/index.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../http/retry.js';
import { connect, PROBE_PATH } from './connect.js';

const CHECK_RETRY: RetryPolicy = { ...DEFAULT_RETRY, maxAttempts: 2, maxRateLimitedAttempts: 5 };
import type { Session } from './session.js';

export interface CheckResult {
  ok: boolean;
  message: string;
  region?: string;
  probes: ProbeResult[];
}

/**
 * Airbyte check: the key works (and in which region), and which streams it may read, so a
 * missing scope shows up now and not halfway through a sync.
 */
export async function checkCommand(session: Session, configPath: string): Promise<number> {
  let result: CheckResult;
  try {
    result = await runCheck(session, configPath);
  } catch (error) {
    return session.fail(error);
  }
  await session.output.write(line({ type: 'CONNECTION_STATUS', connectionStatus: { status: result.ok ? 'SUCCEEDED' : 'FAILED', message: result.message } }));
  await session.output.end();
  return 0;
}

export async function runCheck(session: Session, configPath: string): Promise<CheckResult> {
  const { logger, runtime } = session;
  let config;
  try {
    config = session.loadConfig(configPath);
  } catch (error) {
    return { ok: false, message: asTapError(error).userMessage, probes: [] };
  }
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  let connection;
  try {
    // A person is waiting on check: a host that refuses or fails is reported after two tries, not a minute of backoff.
    connection = await connect({ config, runtime, logger, signal: abort.signal, probe: true, retry: CHECK_RETRY });
  } catch (error) {
    const failure = asTapError(error);
    if (failure.code === 'INTERNAL') throw failure;
    return { ok: false, message: failure.userMessage, probes: [] };
  }
  try {
    const ctx = newSyncContext({
      api: connection.api,
      ...engineSettings(config),
      logger,
      clock: runtime.clock,
      signal: abort.signal,
      concurrency: DEFAULT_CONCURRENCY,
    });
    // The region probe already read the workspaces list: the stream of that endpoint needs no second call.
    const listed = (connection.workspaces as { workspaces?: unknown } | undefined)?.workspaces;
    if (Array.isArray(listed)) {
      for (const def of ALL_STREAMS.filter((d) => d.path === PROBE_PATH)) ctx.parentCache.set(def.name, Promise.resolve(listed as Row[]));
    }
    const probes = await probeByScope(ctx);
    const where = connection.region === 'base_url' ? `at ${config.base_url ?? ''}` : `in the ${connection.region.toUpperCase()} region`;
    const readable = probes.filter((p) => p.readable).map((p) => p.stream);
    const blocked = probes.filter((p): p is Extract<ProbeResult, { readable: false }> => !p.readable);
    for (const probe of blocked) logger.log('WARN', `Stream ${probe.stream}: ${probe.error.userMessage}`);
    const authFailure = blocked.find((p) => p.error.code === 'AUTH_FAILED');
    if (authFailure) return { ok: false, message: authFailure.error.userMessage, region: connection.region, probes };
    if (readable.length === 0) {
      return {
        ok: false,
        message: `The App API key works ${where} but may read none of the streams. ${blocked[0]?.error.hint ?? ''}`.trim(),
        region: connection.region,
        probes,
      };
    }
    let message = `Connected ${where}. Readable: ${readable.join(', ')}.`;
    if (blocked.length > 0) {
      const reasons = blocked.map((p) => `${p.stream} (${describe(p.error, ALL_STREAMS.find((d) => d.name === p.stream)?.scope)})`);
      message += ` Not readable: ${reasons.join('; ')}. Deselect these streams or widen the key's access.`;
    }
    return { ok: true, message, region: connection.region, probes };
  } finally {
    await connection.api.close();
  }
}

/**
 * Customer.io grants App API access by area (campaigns, segments, people…): one probe per area,
 * on its cheapest list, answers for every stream of that area.
 */
async function probeByScope(ctx: SyncContext): Promise<ProbeResult[]> {
  const representatives = new Map<string, StreamDef>();
  for (const def of ALL_STREAMS) {
    const current = representatives.get(def.scope);
    if (!current || (isPartitioned(current) && !isPartitioned(def))) representatives.set(def.scope, def);
  }
  const answers = new Map<string, ProbeResult>();
  await Promise.all([...representatives.entries()].map(async ([scope, def]) => answers.set(scope, await probeStream(ctx, def))));
  return ALL_STREAMS.map((def) => ({ ...(answers.get(def.scope) as ProbeResult), stream: def.name }));
}

function describe(error: TapError, scope: string | undefined): string {
  if (error.code === 'FORBIDDEN') return `403: the key lacks access to ${scope ?? 'this data'}`;
  return `${error.code}: ${error.message}`;
}
