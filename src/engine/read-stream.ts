import type { Chunk } from './chunk.js';
import type { SyncContext } from './context.js';
import { bulkExportReader } from './read/bulk-export.js';
import { changeFeedReader } from './read/change-feed.js';
import { clientFilterReader } from './read/client-filter.js';
import { feedReader } from './read/feed.js';
import { fullRefreshReader } from './read/full-refresh.js';
import { metricsReader } from './read/metrics.js';
import type { Reader, SyncMode } from './read/reader.js';
import { serverWindowsReader } from './read/server-windows.js';
import type { StreamDef } from './stream.js';

export type { SyncMode };

/**
 * Every reader, asked in order which one reads a definition in a sync mode. Metrics and
 * windowed endpoints read the same way in both modes (a full refresh is the read without a
 * bookmark: a windowed endpoint sent no bounds answers only its default window); so are streams
 * with a change feed (a full read is theirs too: it sets the bookmark and the key set). A stream
 * with an export job is read in full through it.
 */
const READERS: readonly Reader[] = [metricsReader, serverWindowsReader, changeFeedReader, bulkExportReader, fullRefreshReader, clientFilterReader, feedReader];

export function readerFor(def: StreamDef, mode: SyncMode): Reader {
  const reader = READERS.find((r) => r.reads(def, mode));
  if (!reader) throw new Error(`no reader reads ${def.name} in ${mode}`);
  return reader;
}

/** Reads a stream the way its definition and sync mode call for. */
export function readStream(ctx: SyncContext, def: StreamDef, mode: SyncMode, state: unknown): AsyncGenerator<Chunk> {
  return readerFor(def, mode).read(ctx, def, state, mode);
}
