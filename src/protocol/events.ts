import type { TapError } from '../errors.js';

/**
 * What the engine says, independent of protocol. Records travel a page at a time:
 * one event per page keeps generator overhead off the per-record path.
 */
export type TapEvent =
  | { kind: 'schema'; stream: string; schema: object; keyProperties: string[]; bookmarkProperties: string[] }
  /**
   * `changes[i]`, when set, names the fields of `records[i]` that fit no type their schema declares
   * and were emitted as null (Airbyte `meta.changes`).
   */
  | { kind: 'records'; stream: string; records: Record<string, unknown>[]; changes?: ReadonlyArray<readonly string[] | undefined> }
  /** `bookmarks` is every stream's latest state (Singer emits the whole map), `value` this stream's. */
  | { kind: 'state'; stream: string; value: unknown; recordCount: number; bookmarks: Record<string, unknown> }
  | { kind: 'status'; stream: string; status: StreamStatus; rateLimitedUntil?: number }
  | { kind: 'log'; level: LogLevel; message: string }
  /** Rows the API says a stream holds, for a progress bar (Airbyte ESTIMATE). */
  | { kind: 'estimate'; stream: string; rows: number }
  | { kind: 'error'; error: TapError; stream?: string };

/**
 * The column that marks a tombstone (a record whose key is gone from the source): the name each
 * protocol's destinations act on. Airbyte destinations in dedup mode delete the row; Singer
 * targets (the Stitch convention) delete it or keep it flagged.
 */
export const DELETED_AT_FIELD = { airbyte: '_ab_cdc_deleted_at', singer: '_sdc_deleted_at' } as const;

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';

/**
 * Lines for each channel; `stdout` may hold several lines, each ending in a newline, or a list
 * of chunks of lines: a page of records is rendered in pieces of under 64 KB, which V8 keeps in
 * the young generation instead of allocating one large string per page in old space.
 */
export interface Rendered {
  stdout?: string | string[];
  stderr?: string;
}

export const CHUNK_CHARS = 60_000;

export type Renderer = (event: TapEvent) => Rendered;

/** A page of records as protocol lines, in chunks of under CHUNK_CHARS characters. */
export function recordChunks(records: readonly Record<string, unknown>[], head: string, tail: string | ((index: number) => string)): string[] {
  const chunks: string[] = [];
  let out = '';
  for (let i = 0; i < records.length; i++) {
    out += head + JSON.stringify(records[i]) + (typeof tail === 'string' ? tail : tail(i));
    if (out.length >= CHUNK_CHARS) {
      chunks.push(out);
      out = '';
    }
  }
  if (out !== '') chunks.push(out);
  return chunks;
}
