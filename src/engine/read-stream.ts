import type { SyncContext } from './context.js';
import type { Chunk } from './chunk.js';
import { readBulkExport } from './read/bulk-export.js';
import { readClientFilter } from './read/client-filter.js';
import { readFeed } from './read/feed.js';
import { readFullRefresh } from './read/full-refresh.js';
import { readMetrics } from './read/metrics.js';
import { readServerWindow } from './read/server-windows.js';
import type { StreamDef } from './stream.js';

export type SyncMode = 'incremental' | 'full_refresh';

/** Picks the reader a stream's definition and sync mode call for. */
export function readStream(ctx: SyncContext, def: StreamDef, mode: SyncMode, state: unknown): AsyncGenerator<Chunk> {
  const cursor = def.cursor;
  // Metrics have no list to read in full: a full refresh is the bucket read without a bookmark.
  if (cursor?.mode === 'metrics') return readMetrics(ctx, def, cursor, state, mode === 'incremental');
  // A windowed endpoint sent no bounds answers only its default window: a full refresh reads
  // every window of the range too, just without a bookmark.
  if (cursor?.mode === 'server-window') return readServerWindow(ctx, def, cursor, state, mode === 'incremental');
  if (mode === 'full_refresh' || !cursor) {
    // A sample (preview, Singer --test) reads a few records the exact way, never a whole export.
    if (def.bulk && ctx.recordLimit === undefined) return readBulkExport(ctx, def, def.bulk, state);
    return readFullRefresh(ctx, def, state);
  }
  switch (cursor.mode) {
    case 'client-filter':
      return readClientFilter(ctx, def, cursor, state);
    case 'feed':
      return readFeed(ctx, def, cursor, state);
  }
}
