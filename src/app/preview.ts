import { setMaxListeners } from 'node:events';
import { validateConfig, type TapConfig } from '../config.js';
import { engineSettings, withSettings } from '../streams/settings.js';
import { workspaceCounts } from './estimates.js';
import { newSyncContext, SERIAL } from '../engine/context.js';
import { StateStore } from '../engine/state.js';
import type { StreamDef } from '../engine/stream.js';
import { runSync } from '../engine/sync.js';
import { asTapError, TapError } from '../errors.js';
import { ALL_STREAMS, streamByName } from '../streams/index.js';
import { connect } from './connect.js';
import type { Session } from './session.js';
import { formatTable } from './table.js';

export interface PreviewOptions {
  config: string | readonly string[];
  stream: string;
  start?: string;
  end?: string;
  limit: number;
  format: 'table' | 'jsonl';
}

/**
 * "Test data": up to --limit records of one stream, fetched with as few requests as that needs
 * (pages no larger than the limit, one request at a time), shown as a table or JSON lines. An
 * empty answer says why it may be empty and what to try.
 */
export async function previewCommand(session: Session, options: PreviewOptions): Promise<number> {
  const { runtime, logger } = session;
  let config: TapConfig;
  let def: StreamDef;
  try {
    const loaded = session.loadConfig(options.config);
    config = validateConfig(
      { ...loaded, ...(options.start ? { start_date: options.start } : {}), ...(options.end ? { end_date: options.end } : {}) },
      '--start/--end and config',
    );
    const found = streamByName(options.stream);
    if (!found) {
      throw new TapError('USAGE', `There is no stream "${options.stream}"`, { hint: `Pick one of: ${ALL_STREAMS.map((d) => d.name).join(', ')}` });
    }
    def = found;
  } catch (error) {
    runtime.stderr.write(`Error: ${session.redactor.text(asTapError(error).userMessage)}\n`);
    return 2;
  }

  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const records: Array<Record<string, unknown>> = [];
  let failure: TapError | undefined;
  let region = config.region;
  try {
    const connection = await connect({ config, runtime, logger, signal: abort.signal, probe: config.region === 'auto' && !config.base_url });
    region = connection.region as TapConfig['region'];
    const ctx = newSyncContext({
      api: connection.api,
      ...engineSettings(config),
      logger,
      clock: runtime.clock,
      signal: abort.signal,
      concurrency: SERIAL,
      recordLimit: options.limit,
    });
    try {
      const selection = {
        def: withSettings(def, config, workspaceCounts(connection.api, connection.workspaces, logger)),
        mode: def.cursor ? ('incremental' as const) : ('full_refresh' as const),
      };
      for await (const event of runSync(ctx, [selection], new StateStore())) {
        if (event.kind === 'records') records.push(...event.records);
        if (event.kind === 'error') failure ??= event.error;
      }
    } finally {
      logger.log('INFO', `preview used ${connection.api.stats.requests} requests`);
      await connection.api.close();
    }
  } catch (error) {
    failure = asTapError(error);
  }

  if (failure) {
    runtime.stderr.write(`Error: ${session.redactor.text(failure.userMessage)}\n`);
    return 1;
  }
  if (records.length === 0) {
    runtime.stderr.write(session.redactor.text(whyEmpty(def, config, region)));
    return 0;
  }
  const text =
    options.format === 'jsonl'
      ? records.map((r) => JSON.stringify(r)).join('\n') + '\n'
      : formatTable(records, (runtime.stdout as { columns?: number }).columns ?? 120);
  runtime.stdout.write(session.redactor.text(text));
  return 0;
}

function whyEmpty(def: StreamDef, config: TapConfig, region: string): string {
  const range = `${config.start_date ?? 'the beginning'} to ${config.end_date ?? 'now'}`;
  const lines = [`No ${def.name} records came back. It may be empty because:`];
  if (def.cursor && def.cursor.mode !== 'client-filter') {
    lines.push(`- there is no data from ${range}: try a wider --start/--end${def.history ? ` (history: ${def.history})` : ''};`);
  }
  if (def.parent) lines.push(`- there is no ${def.parent.stream.name} to read it through yet;`);
  lines.push(
    region === 'base_url'
      ? `- base_url points at another service than this workspace's API;`
      : `- the key belongs to another workspace, or to the other region (it was read in the ${region.toUpperCase()} region; set region to auto to try both);`,
  );
  lines.push(`- the workspace does not use ${def.scope} yet.`);
  lines.push('Run `tap-customerio check --config …` to see which streams the key may read.');
  return `${lines.join('\n')}\n`;
}
