import { secretsOf, validateConfig, type TapConfig } from '../config.js';
import { asTapError, type TapError } from '../errors.js';
import { configFromEnv } from '../config-env.js';
import { readJsonFile } from '../json-file.js';
import type { Logger } from '../logger.js';
import { renderAirbyte } from '../protocol/airbyte.js';
import type { TapEvent } from '../protocol/events.js';
import { renderSinger } from '../protocol/singer.js';
import { Output } from '../protocol/writer.js';
import { Redactor } from '../redact.js';
import type { Runtime } from './runtime.js';

export type Protocol = 'airbyte' | 'singer';

/**
 * One command's output channel in one protocol, with secrets redacted from every byte.
 * Config is read through here so the key is known to the redactor before anything can echo it.
 */
export class Session {
  readonly redactor = new Redactor();
  readonly output: Output;
  readonly logger: Logger;

  constructor(
    readonly protocol: Protocol,
    readonly runtime: Runtime,
  ) {
    const render = protocol === 'airbyte' ? (e: TapEvent) => renderAirbyte(e, runtime.clock.now()) : (e: TapEvent) => renderSinger(e, runtime.clock.now());
    this.output = new Output(runtime.stdout, runtime.stderr, this.redactor, render);
    this.logger = { log: (level, message) => this.output.log(level, message) };
  }

  /**
   * Reads one or more config sources, later ones winning: JSON files, or ENV for the
   * TAP_CUSTOMERIO_<SETTING> variables (Meltano SDK convention).
   */
  loadConfig(sources: string | readonly string[]): TapConfig {
    const list = typeof sources === 'string' ? [sources] : sources;
    let merged: Record<string, unknown> = {};
    for (const source of list) {
      const raw = source === 'ENV' ? configFromEnv(this.runtime.env) : readJsonFile(source, { code: 'CONFIG_INVALID', what: 'config file', flag: '--config' });
      if (raw && typeof raw === 'object') for (const secret of secretsOf(raw as Record<string, unknown>)) this.redactor.add(secret);
      if (list.length === 1) merged = raw as Record<string, unknown>;
      else if (raw && typeof raw === 'object' && !Array.isArray(raw)) merged = { ...merged, ...(raw as Record<string, unknown>) };
      else return validateConfig(raw, source === 'ENV' ? 'environment' : `config file ${source}`);
    }
    const label = list.length === 1 ? (list[0] === 'ENV' ? 'environment' : `config file ${list[0]}`) : `config (${list.join(' + ')})`;
    const config = validateConfig(merged, label);
    this.redactor.add(config.app_api_key);
    return config;
  }

  /** Reports a fatal error the protocol's way; returns the exit code. */
  async fail(error: unknown): Promise<number> {
    const failure: TapError = asTapError(error);
    await this.output.emit({ kind: 'error', error: failure });
    if (failure.code === 'INTERNAL' && failure.stack && this.protocol === 'airbyte') this.output.writeStderr(`${failure.stack}\n`);
    await this.output.end();
    return 1;
  }
}
