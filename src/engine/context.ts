import type { Clock } from '../clock.js';
import type { ApiClient } from '../http/client.js';
import type { Logger } from '../logger.js';
import type { Resolution } from './buckets.js';
import type { Row } from './stream.js';

/** The slice of time a read may cover, in unix seconds: nothing before `start`, nothing at or after `end`. */
export interface ReadRange {
  start?: number;
  end?: number;
}

/** Everything a sync needs, passed explicitly (no module state). */
export interface SyncContext {
  api: ApiClient;
  /** What the time-bounded streams may read (the app sets it from its config). */
  range: ReadRange;
  /** Size of the buckets of time-bucketed streams. */
  bucket: Resolution;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  /** Unix seconds when the sync began: no cursor moves past it. */
  syncStartedAt: number;
  concurrency: Concurrency;
  /** A long read says where it is at least this often (resumable STATE): records or seconds, whichever first. */
  checkpoints: { records: number; seconds: number };
  /** Stop each stream after this many records (Singer --test, preview); no state is written then. */
  recordLimit?: number;
  /**
   * Tombstones: `field` is the protocol's deleted-at column (declared on the streams that track
   * deletes); `emit` false keeps the column but emits none; more than `maxKeys` keys in a
   * stream turns them off for it rather than bloat its state. Unset: none.
   */
  deletes?: { field: string; emit: boolean; maxKeys: number };
  /** Parent lists read once per sync and shared by every stream that needs them. */
  parentCache: Map<string, Promise<Row[]>>;
  /** Answers of the metrics streams another selected stream rolls up to, shared for the sync. */
  sharedMetrics?: { streams: ReadonlySet<string>; answers: Map<string, Promise<{ body: unknown; serverTime: number | undefined }>> };
}

/** A context for one sync started now: its own parent cache, the sync's start as the cursor cap. */
export function newSyncContext(parts: Omit<SyncContext, 'syncStartedAt' | 'parentCache'>): SyncContext {
  return { ...parts, syncStartedAt: Math.floor(parts.clock.now() / 1000), parentCache: new Map() };
}

export interface Concurrency {
  streams: number;
  partitions: number;
  windows: number;
  hydrate: number;
}

/**
 * Chains of requests in flight at once. The shared rate limiter, not these, bounds the load;
 * they only keep enough requests waiting that a 250 ms round trip never leaves a slot unused.
 * Six windows rather than the three a 250 ms round trip needs at 10/s: at the end of a read,
 * when windows can no longer be split, the ones still going must keep the budget busy.
 */
export const DEFAULT_CONCURRENCY: Concurrency = { streams: 4, partitions: 8, windows: 6, hydrate: 8 };

/** One request at a time: for reads that stop after a few records, nothing is fetched ahead. */
export const SERIAL: Concurrency = { streams: 1, partitions: 1, windows: 1, hydrate: 1 };
