import type { SyncContext } from './context.js';
import { cursorValue, numberAt, type Chunk } from './chunk.js';
import { merge } from './merge.js';
import { pages } from './paginate.js';
import { listAll } from './parents.js';
import { eachPartition, partitionsOf } from './partitions.js';
import { isPartitioned, type Incremental, type Row, type StreamDef } from './stream.js';
import { readFrom, timeRange } from './time-range.js';
import { planWindows, splitOlderHalf, type Window } from './windows.js';

type ClientFilter = Extract<Incremental, { mode: 'client-filter' }>;
type ServerWindow = Extract<Incremental, { mode: 'server-window' }>;
type Feed = Extract<Incremental, { mode: 'feed' }>;

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

/**
 * Every request carries both bounds, whatever the sync mode: the API answers a request without
 * them with its default window only. Time windows oldest first, a few in flight at once; when the plan is spent, a reader with
 * nothing left takes the older half of the busiest window. The bookmark is the start of the
 * oldest window not yet finished, so a killed sync resumes after the last whole window.
 */
export async function* readServerWindow(ctx: SyncContext, def: StreamDef, cursor: ServerWindow, state: unknown): AsyncGenerator<Chunk> {
  const previous = numberAt(state, cursor.field);
  const range = timeRange(ctx);
  const to = range.end;
  const from = readFrom(range, previous, ctx.config[cursor.lookbackDays] * 86_400, range.end - cursor.earliest);

  const pageSize = def.pagination.kind === 'cursor' ? (def.pagination.pageSize?.value ?? 50) : 50;
  const plan = planWindows(from, to, { maxSeconds: cursor.maxWindowSeconds, pageSize, parallel: ctx.concurrency.windows });
  const live = new Set<Window>();
  let watermark = previous;

  type Item = Chunk | { windowDone: Window };
  const windowSource = async function* (window: Window): AsyncGenerator<Item> {
    const queried = window.start;
    const query = { [cursor.startParam]: window.start, [cursor.endParam]: window.end - 1 };
    let first = true;
    for await (const page of pages(ctx, def, { query })) {
      const records = page.records;
      if (first) plan.observe(window, records, page.next !== undefined, cursor.field);
      first = false;
      // Pages come newest first: the last record is the oldest this window has read.
      const last = records[records.length - 1];
      const oldest = last === undefined ? undefined : cursorValue(last, cursor.field);
      if (oldest !== undefined && oldest < (window.reached ?? Infinity)) window.reached = oldest;
      window.seen = (window.seen ?? 0) + records.length;
      if (window.start > queried && oldest !== undefined && oldest < window.start) {
        // The older part was split off to another reader: the records below the cut are its,
        // and nothing past this page is this window's any more.
        const kept = records.filter((record) => (cursorValue(record, cursor.field) ?? window.start) >= window.start);
        if (kept.length > 0) yield { records: kept };
        break;
      }
      if (records.length > 0) yield { records };
    }
    yield { windowDone: window };
  };
  const sources = function* (): Generator<AsyncGenerator<Item>> {
    let index = 0;
    for (const window of plan.windows()) {
      live.add(window);
      index = window.index + 1;
      yield windowSource(window);
    }
    for (;;) {
      const older = splitOlderHalf(live, pageSize, index++);
      if (!older) return;
      live.add(older);
      yield windowSource(older);
    }
  };
  for await (const item of merge(sources(), ctx.concurrency.windows)) {
    if (!('windowDone' in item)) {
      yield item;
      continue;
    }
    live.delete(item.windowDone);
    const oldestOpen = Math.min(plan.frontier, ...[...live].map((w) => w.start));
    if (oldestOpen > (watermark ?? from)) {
      watermark = oldestOpen;
      yield { checkpoint: { [cursor.field]: watermark } };
    }
  }
  yield { checkpoint: watermark === undefined ? {} : { [cursor.field]: watermark } };
}

/**
 * A newest-first feed with no time filter (activities): read until the feed reaches past the
 * bookmark. Records dated after the sync's start are left for the next sync.
 */
export async function* readFeed(ctx: SyncContext, def: StreamDef, cursor: Feed, state: unknown): AsyncGenerator<Chunk> {
  const previous = numberAt(state, cursor.field);
  const { start: startDate, end } = timeRange(ctx);
  const from = previous ?? startDate;
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

