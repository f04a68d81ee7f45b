import type { SyncContext } from '../context.js';
import { cursorValue, numberAt, type Chunk } from '../chunk.js';
import { pages } from '../paginate.js';
import { eachPartition, listAll, partitionsOf } from '../partitions.js';
import { isPartitioned, type Incremental, type Row, type StreamDef } from '../stream.js';

type ClientFilter = Extract<Incremental, { mode: 'client-filter' }>;

/** Keeps the records at or after the bookmark (less the lookback) and tracks the newest cursor. */
class CursorFilter {
  newest: number | undefined;
  constructor(
    private readonly field: string,
    private readonly from: number | undefined,
  ) {}

  keep(records: Row[]): Row[] {
    const kept: Row[] = [];
    for (const record of records) {
      const value = cursorValue(record, this.field);
      if (value !== undefined && this.from !== undefined && value < this.from) continue;
      if (value !== undefined && (this.newest === undefined || value > this.newest)) this.newest = value;
      kept.push(record);
    }
    return kept;
  }

  /** Forward only, and never past the sync's start: what changes during the sync is read next time. */
  bookmark(previous: number | undefined, syncStartedAt: number): number | undefined {
    const candidate = this.newest === undefined ? undefined : Math.min(this.newest, syncStartedAt);
    if (candidate === undefined) return previous;
    return previous === undefined ? candidate : Math.max(previous, candidate);
  }
}

export async function* readClientFilter(ctx: SyncContext, def: StreamDef, cursor: ClientFilter, state: unknown): AsyncGenerator<Chunk> {
  const lookback = cursor.lookbackSeconds ?? 0;
  if (!isPartitioned(def)) {
    const previous = numberAt(state, cursor.field);
    const filter = new CursorFilter(cursor.field, previous === undefined ? undefined : previous - lookback);
    if (def.pagination.kind === 'none') {
      const kept = filter.keep(await listAll(ctx, def));
      if (kept.length > 0) yield { records: kept };
    } else {
      for await (const page of pages(ctx, def)) {
        const kept = filter.keep(page.records);
        if (kept.length > 0) yield { records: kept };
      }
    }
    const bookmark = filter.bookmark(previous, ctx.syncStartedAt);
    yield { checkpoint: bookmark === undefined ? {} : { [cursor.field]: bookmark } };
    return;
  }

  const before = partitionStates(state);
  const after: Record<string, Record<string, number>> = {};
  const partitions = await partitionsOf(ctx, def);
  const snapshot = (): Chunk => ({ checkpoint: { partitions: { ...before, ...after } } });
  yield* eachPartition(ctx, def, partitions, async function* ({ key, parent }) {
    const previous = numberAt(before[key], cursor.field);
    const filter = new CursorFilter(cursor.field, previous === undefined ? undefined : previous - lookback);
    for await (const page of pages(ctx, def, { parent })) {
      const kept = filter.keep(page.records);
      if (kept.length > 0) yield { records: kept };
    }
    const bookmark = filter.bookmark(previous, ctx.syncStartedAt);
    if (bookmark !== undefined) after[key] = { [cursor.field]: bookmark };
    yield snapshot();
  });
  // Partitions whose parent is gone are dropped so state does not grow forever.
  const live = new Set(partitions.map((p) => p.key));
  const kept: Record<string, Record<string, number>> = {};
  for (const [key, value] of Object.entries({ ...before, ...after })) if (live.has(key)) kept[key] = value;
  yield { checkpoint: { partitions: kept } };
}

function partitionStates(state: unknown): Record<string, Record<string, number>> {
  const partitions = state && typeof state === 'object' ? (state as Row)['partitions'] : undefined;
  if (!partitions || typeof partitions !== 'object' || Array.isArray(partitions)) return {};
  return { ...(partitions as Record<string, Record<string, number>>) };
}
