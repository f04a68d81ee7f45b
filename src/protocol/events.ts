import type { TapError } from '../errors.js';

/**
 * What the engine says, independent of protocol. Records travel a page at a time:
 * one event per page keeps generator overhead off the per-record path.
 */
export type TapEvent =
  | { kind: 'schema'; stream: string; schema: object; keyProperties: string[]; bookmarkProperties: string[] }
  | { kind: 'records'; stream: string; records: Record<string, unknown>[] }
  /** `bookmarks` is every stream's latest state (Singer emits the whole map), `value` this stream's. */
  | { kind: 'state'; stream: string; value: unknown; recordCount: number; bookmarks: Record<string, unknown> }
  | { kind: 'status'; stream: string; status: StreamStatus; rateLimitedUntil?: number }
  | { kind: 'log'; level: LogLevel; message: string }
  /** Rows the API says a stream holds, for a progress bar (Airbyte ESTIMATE). */
  | { kind: 'estimate'; stream: string; rows: number }
  | { kind: 'error'; error: TapError; stream?: string };

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';

/** Lines for each channel; `stdout` may hold several lines, each ending in a newline. */
export interface Rendered {
  stdout?: string;
  stderr?: string;
}

export type Renderer = (event: TapEvent) => Rendered;
