import type { Chunk } from '../chunk.js';
import type { SyncContext } from '../context.js';
import type { Row, StreamDef } from '../stream.js';

export type SyncMode = 'incremental' | 'full_refresh';

/** Where a saved state came from, for errors that name it, and where migration notes go. */
export interface StateSource {
  file: string;
  warn: (message: string) => void;
}

/**
 * One way of reading a stream, with the state it keeps: how it reads, and how it takes back a
 * saved state of its own (older shapes migrated with a warning, a damaged one refused before any
 * request with the field and the fix named). The engine knows readers only through this.
 */
export interface Reader {
  /** Whether this reader reads `def` in `mode` (the table in read-stream.ts asks in order). */
  reads(def: StreamDef, mode: SyncMode): boolean;
  /**
   * The saved state as this reader will read it, or undefined to start from nothing (with a
   * warning: a state is never dropped silently when it held something). `saved` is a non-empty object.
   */
  loadState(def: StreamDef, saved: Row, source: StateSource): Row | undefined;
  read(ctx: SyncContext, def: StreamDef, state: unknown, mode: SyncMode): AsyncGenerator<Chunk>;
}
