import type { SyncContext } from '../context.js';
import { cursorValue, numberAt, type Chunk } from '../chunk.js';
import { pages } from '../paginate.js';
import { eachPartition, listAll, partitionsOf } from '../partitions.js';
import { isPartitioned, type Incremental, type Row, type StreamDef } from '../stream.js';
import { KeyTracker } from '../tombstones.js';
import type { Reader, StateSource } from './reader.js';
import { checkKeySet, checkUnixField, fixOrRemove, holdsAny, partitionStates } from './state-fields.js';

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

/**
 * The whole list is read on every sync, so besides the records changed since the bookmark it
 * tells which keys are gone: those get a tombstone (tombstones.ts), children of a parent that is
 * gone included, without a request for them.
 */
async function* readClientFilter(ctx: SyncContext, def: StreamDef, cursor: ClientFilter, state: unknown): AsyncGenerator<Chunk> {
  const lookback = cursor.lookbackSeconds ?? 0;
  const keys = new KeyTracker(ctx, def);
  if (!isPartitioned(def)) {
    const previous = numberAt(state, cursor.field);
    const filter = new CursorFilter(cursor.field, previous === undefined ? undefined : previous - lookback);
    const seen = new Set<string>();
    for await (const page of def.pagination.kind === 'none' ? wholeList(ctx, def) : pages(ctx, def)) {
      keys.note(seen, page.records);
      const kept = filter.keep(page.records);
      if (kept.length > 0) yield { records: kept };
    }
    const gone = keys.gone(stored(state), seen);
    if (gone.length > 0) yield { records: gone };
    const bookmark = filter.bookmark(previous, ctx.syncStartedAt);
    yield { checkpoint: { ...(bookmark === undefined ? {} : { [cursor.field]: bookmark }), ...keys.stored(seen) } };
    return;
  }

  const before = partitionStates(state);
  const after: Record<string, Row> = {};
  const partitions = await partitionsOf(ctx, def);
  const snapshot = (): Chunk => ({ checkpoint: { partitions: { ...before, ...after } } });
  const forget = (key: string): void => {
    delete before[key];
    delete after[key];
  };
  yield* eachPartition(
    ctx,
    def,
    partitions,
    async function* ({ key, parent }) {
      const previous = numberAt(before[key], cursor.field);
      const filter = new CursorFilter(cursor.field, previous === undefined ? undefined : previous - lookback);
      const seen = new Set<string>();
      for await (const page of pages(ctx, def, { parent })) {
        keys.note(seen, page.records);
        const kept = filter.keep(page.records);
        if (kept.length > 0) yield { records: kept };
      }
      const gone = keys.gone(stored(before[key]), seen, { key, parent });
      if (gone.length > 0) yield { records: gone };
      const bookmark = filter.bookmark(previous, ctx.syncStartedAt);
      after[key] = { ...(bookmark === undefined ? {} : { [cursor.field]: bookmark }), ...keys.stored(seen) };
      yield snapshot();
    },
    // Deleted between its list and its children: its children are gone with it.
    ({ key, parent }) => {
      const gone = keys.gone(stored(before[key]), new Set(), { key, parent });
      forget(key);
      return gone.length > 0 ? [{ records: gone }, snapshot()] : [snapshot()];
    },
  );
  // Partitions whose parent is gone: their children are gone too; then the state forgets them.
  const live = new Set(partitions.map((p) => p.key));
  for (const key of Object.keys({ ...before, ...after })) {
    if (live.has(key)) continue;
    const gone = keys.gone(stored(before[key]), new Set(), { key, parent: undefined });
    if (gone.length > 0) yield { records: gone };
    forget(key);
  }
  const all = { ...before, ...after };
  // Past the size limit, no partition keeps a key set (a partial one would tombstone the rest).
  if (keys.stopped) for (const [key, value] of Object.entries(all)) all[key] = withoutKeys(value);
  yield { checkpoint: { partitions: all } };
}

async function* wholeList(ctx: SyncContext, def: StreamDef): AsyncGenerator<{ records: Row[] }> {
  yield { records: await listAll(ctx, def) };
}

function withoutKeys(state: Row): Row {
  const { keys: _dropped, ...rest } = state;
  return rest;
}

function stored(state: unknown): unknown {
  return state && typeof state === 'object' ? (state as Row)['keys'] : undefined;
}

/**
 * State: `{[cursor], keys}` for a list, `{partitions: {parent key: {[cursor], keys}}}` for a
 * child stream read per parent. Airbyte's low-code connector wrote per-partition
 * `{states: [{partition, cursor}]}`: read as partition bookmarks.
 */
export const clientFilterReader: Reader = {
  reads: (def, mode) => mode === 'incremental' && def.cursor?.mode === 'client-filter',
  loadState(def, saved, source) {
    const field = (def.cursor as ClientFilter).field;
    const state = Array.isArray(saved['states']) ? fromLowCode(def.name, field, saved['states'] as Row[], source) : saved;
    if (!holdsAny(def.name, state, [field, 'keys', 'partitions'], field, source)) return undefined;
    checkUnixField(def.name, state, field, source, fixOrRemove(def.name));
    checkKeySet(def.name, state, source);
    for (const [key, value] of Object.entries(partitionStates(state))) checkKeySet(`${def.name}.partitions.${key}`, value, source);
    return state;
  },
  read: (ctx, def, state) => readClientFilter(ctx, def, def.cursor as ClientFilter, state),
};

function fromLowCode(stream: string, field: string, states: Row[], source: StateSource): Row {
  const partitions: Record<string, unknown> = {};
  for (const entry of states) {
    const partition = entry?.['partition'] as Row | undefined;
    const cursor = entry?.['cursor'] as Row | undefined;
    const id = partition?.['id'] ?? partition?.['parent_id'];
    if (id !== undefined && cursor && typeof cursor[field] === 'number') partitions[String(id)] = { [field]: cursor[field] };
  }
  source.warn(`State of ${stream} was written per partition by another connector; ${Object.keys(partitions).length} partition bookmarks were migrated`);
  return { partitions };
}
