import type { SyncContext } from '../context.js';
import { cursorValue, numberAt, type Chunk } from '../chunk.js';
import { pages } from '../paginate.js';
import type { Incremental, Row, StreamDef } from '../stream.js';
import { timeRange } from '../time-range.js';
import type { Reader } from './reader.js';
import { checkUnixField, fixOrRemove, holdsAny } from './state-fields.js';

type Feed = Extract<Incremental, { mode: 'feed' }>;

/**
 * A newest-first feed with no time filter: read until the feed reaches past the
 * bookmark. Records dated after the sync's start are left for the next sync.
 */
async function* readFeed(ctx: SyncContext, def: StreamDef, cursor: Feed, state: unknown): AsyncGenerator<Chunk> {
  const previous = numberAt(state, cursor.field);
  const { start: startDate, end } = timeRange(ctx);
  // Nothing before the range, even from an older bookmark (a start_date moved forward since).
  const from = previous === undefined ? startDate : startDate === undefined ? previous : Math.max(previous, startDate);
  let newest: number | undefined;
  for await (const page of pages(ctx, def)) {
    const kept: Row[] = [];
    let reachedPast = false;
    for (const record of page.records) {
      const value = cursorValue(record, cursor.field);
      // Dated after the range (or the sync's start): the next sync, or a later backfill, reads it.
      if (value !== undefined && value >= end) continue;
      if (value !== undefined && from !== undefined && value < from) {
        reachedPast = true;
        continue;
      }
      if (value !== undefined && (newest === undefined || value > newest)) newest = value;
      kept.push(record);
    }
    if (kept.length > 0) yield { records: kept };
    if (reachedPast) break;
  }
  const bookmark = newest === undefined ? previous : Math.max(previous ?? newest, newest);
  yield { checkpoint: bookmark === undefined ? {} : { [cursor.field]: bookmark } };
}

/** State: `{[cursor]: unix seconds}`, the newest record read. */
export const feedReader: Reader = {
  reads: (def, mode) => mode === 'incremental' && def.cursor?.mode === 'feed',
  loadState(def, saved, source) {
    const field = (def.cursor as Feed).field;
    if (!holdsAny(def.name, saved, [field], field, source)) return undefined;
    checkUnixField(def.name, saved, field, source, fixOrRemove(def.name));
    return saved;
  },
  read: (ctx, def, state) => readFeed(ctx, def, def.cursor as Feed, state),
};
