import type { Query } from '../../http/client.js';
import { CheckpointDue } from '../checkpoint.js';
import type { Chunk } from '../chunk.js';
import type { SyncContext } from '../context.js';
import { decodeKeys, encodeKeys } from '../key-set.js';
import { mapOrderedAsync, merge } from '../merge.js';
import { batches, hydrateIds, pages, type SearchThenHydrate } from '../paginate.js';
import { emitted, keyFields, keyText, type ChangeFeed, type Incremental, type Row, type StreamDef } from '../stream.js';
import { KeyTracker } from '../tombstones.js';
import { bulkExportReader } from './bulk-export.js';
import { fullRefreshReader } from './full-refresh.js';
import type { Reader, StateSource } from './reader.js';
import { checkKeySet, checkObjectField, checkStringList, checkUnixField, fixOrRemove, holdsAny } from './state-fields.js';

type ChangeFeedCursor = Extract<Incremental, { mode: 'change-feed' }>;

const DAY = 86_400;

/** Where the feed has been read to: every entry before `at`, and those at `at` whose ids are in `boundary`. */
interface Bookmark {
  at: number;
  boundary: string[];
}

/** A full read under way: when it began, its inner reader's state, the keys it emitted (undefined: not known). */
interface FullRun {
  started: number | undefined;
  state: Row;
  keys: Set<string> | undefined;
}

/** An incremental read killed while reading records again: the bookmark it will end on, and the keys (with their times) still to read. */
interface Pending {
  bookmark: Bookmark;
  left: Map<string, number>;
}

/**
 * A stream read whole now and then, and in between only where a feed of changes says something
 * changed. Both sync modes; every record carries the cursor field.
 *
 * A full read (full refresh; no bookmark; a bookmark older than the feed reaches; or the periodic
 * reconcile, for changes no feed entry reports) is the stream's own reader (export or search,
 * its resume state nested as `full`), each record stamped with the read's start. It ends on the
 * bookmark = that start and the set of keys read; in incremental mode, keys of the previous set
 * not read now get tombstones.
 *
 * An incremental read walks the feed once per kind of change, newest first, up to the bookmark
 * (entries of its second that the boundary lists were read last time); leaves what is dated at
 * or after the sync's start for the next sync; reads each named record again once, in batches
 * through the stream's own hydrate request, stamped with the newest entry naming it; and emits a
 * tombstone for each record removed, or named and no longer found.
 */
async function* readChangeFeed(ctx: SyncContext, def: StreamDef, cursor: ChangeFeedCursor, state: unknown, incremental: boolean): AsyncGenerator<Chunk> {
  const saved = isObject(state) ? state : {};
  // A sample (preview, --test) reads a few records the way a full read does, and keeps no state.
  if (ctx.recordLimit !== undefined) return yield* stamped(fullReaderOf(def).read(ctx, def, {}, 'full_refresh'), cursor.field, ctx.syncStartedAt);
  const run = fullRunOf(saved);
  if (run) {
    ctx.logger.log('INFO', `${def.name}: continuing the full read${run.started === undefined ? '' : ` begun at ${iso(run.started)}`}`);
    return yield* readFull(ctx, def, cursor, saved, run, incremental);
  }
  if (!incremental) return yield* readFull(ctx, def, cursor, saved, undefined, false);
  const pending = pendingOf(saved, cursor.field);
  if (pending) {
    ctx.logger.log('INFO', `${def.name}: continuing an incremental read: ${pending.left.size} records still to read`);
    return yield* readNamed(ctx, def, cursor, saved, pending, new Map());
  }
  const bookmark = bookmarkOf(saved, cursor.field);
  const why = fullReadReason(ctx, cursor, bookmark, saved);
  if (why) {
    ctx.logger.log(why.level, `${def.name}: reading everyone: ${why.text}`);
    return yield* readFull(ctx, def, cursor, saved, undefined, true);
  }
  yield* readChanges(ctx, def, cursor, saved, bookmark as Bookmark);
}

/** Why this incremental sync reads everyone, or undefined when the feed can say what changed. */
function fullReadReason(
  ctx: SyncContext,
  cursor: ChangeFeedCursor,
  bookmark: Bookmark | undefined,
  saved: Row,
): { level: 'INFO' | 'WARN'; text: string } | undefined {
  const now = ctx.syncStartedAt;
  if (!bookmark) return { level: 'INFO', text: 'no bookmark yet (a first sync)' };
  const reach = cursor.feed.reachSeconds;
  if (now - bookmark.at > reach) {
    return {
      level: 'WARN',
      text: `the bookmark ${iso(bookmark.at)} is older than the ${days(reach)} days the change feed keeps, so changes may be missing from it`,
    };
  }
  // A bookmark without full_at (written by hand, or by another tool) counts from the bookmark.
  const fullAt = typeof saved['full_at'] === 'number' ? saved['full_at'] : bookmark.at;
  if (cursor.fullEverySeconds === 0) return { level: 'INFO', text: 'a full read on every sync is configured' };
  if (now - fullAt >= cursor.fullEverySeconds) {
    return {
      level: 'INFO',
      text: `a full read is due every ${days(cursor.fullEverySeconds)} days to find changes the feed does not report (the last was ${days(now - fullAt)} days ago)`,
    };
  }
  return undefined;
}

function fullReaderOf(def: StreamDef): Reader {
  return def.bulk ? bulkExportReader : fullRefreshReader;
}

/**
 * Everyone, through the stream's own reader. The resume state the inner reader checkpoints is
 * kept under `full` with the read's start and the keys emitted so far, so a restart continues
 * it and still knows, at the end, which keys of the previous set are gone. Records carry the
 * start of the read (a continued one: the start of the first part): the next sync reads the
 * feed from there, so changes to records read early in a long read are not lost.
 */
async function* readFull(
  ctx: SyncContext,
  def: StreamDef,
  cursor: ChangeFeedCursor,
  saved: Row,
  run: FullRun | undefined,
  tombstones: boolean,
): AsyncGenerator<Chunk> {
  const field = cursor.field;
  const started = run?.started ?? ctx.syncStartedAt;
  const keys = new KeyTracker(ctx, def);
  // A continued read whose first part kept no keys cannot tell what is gone: no tombstones, no key set.
  const complete = run === undefined || run.keys !== undefined;
  const seen = new Set(run?.keys ?? []);
  const max = ctx.deletes?.maxKeys ?? Infinity;
  // The previous key set rides along: the tombstones at the end of a continued read need it.
  const carried = withoutProgress(saved);
  for await (const chunk of fullReaderOf(def).read(ctx, def, run?.state ?? {}, 'full_refresh')) {
    if ('records' in chunk) {
      keys.note(seen, chunk.records);
      yield { records: stampAll(chunk.records, field, started) };
    } else if (Object.keys(chunk.checkpoint).length > 0) {
      // The inner reader's `{}` says it finished: the final state below says more.
      const known = complete && keys.tracking && seen.size <= max ? { keys: encodeKeys(seen) } : {};
      yield { checkpoint: { ...carried, full: { started, state: chunk.checkpoint, ...known } } };
    }
  }
  if (tombstones && complete) {
    const gone = keys.gone(saved['keys'], seen);
    if (gone.length > 0) {
      ctx.logger.log('INFO', `${def.name}: ${gone.length} records of the last full read are gone: tombstones emitted`);
      yield { records: gone };
    }
  }
  yield { checkpoint: { [field]: started, boundary: [], full_at: started, ...(complete ? keys.stored(seen) : {}) } };
}

/** The feed walked since the bookmark: who changed, who went; then those who changed are read again. */
async function* readChanges(ctx: SyncContext, def: StreamDef, cursor: ChangeFeedCursor, saved: Row, bookmark: Bookmark): AsyncGenerator<Chunk> {
  const feed = cursor.feed;
  const changed = new Map<string, number>();
  const removed = new Map<string, number>();
  let newest = bookmark.at;
  let atNewest = new Set(bookmark.boundary);
  let entries = 0;
  let undated = 0;
  const note = (map: Map<string, number>, key: string | undefined, at: number): void => {
    if (key === undefined || key === '') return;
    const before = map.get(key);
    if (before === undefined || at > before) map.set(key, at);
  };
  const walks = feed.walks.map((walk) =>
    tagged(
      walkFeed(ctx, def, feed, bookmark, walk.query, () => undated++),
      walk.removes === true,
    ),
  );
  for await (const { kept, removes } of merge(walks, ctx.concurrency.partitions)) {
    for (const entry of kept) {
      const at = feed.timeOf(entry) as number; // walkFeed keeps dated entries only
      entries++;
      note(removes ? removed : changed, feed.keyOf(entry), at);
      note(removed, feed.removedBy(entry), at);
      if (at > newest) {
        newest = at;
        atNewest = new Set();
      }
      const id = feed.idOf(entry);
      if (at === newest && id !== undefined) atNewest.add(id);
    }
  }
  if (undated > 0) ctx.logger.log('WARN', `${def.name}: ${undated} change feed entries had no time and were skipped`);
  // Gone wins: a record removed after its last change has nothing left to read.
  for (const key of removed.keys()) changed.delete(key);
  ctx.logger.log('INFO', `${def.name}: ${entries} change feed entries since ${iso(bookmark.at)}: ${changed.size} records to read again, ${removed.size} gone`);
  yield* readNamed(ctx, def, cursor, saved, { bookmark: { at: newest, boundary: [...atNewest].sort() }, left: changed }, removed);
}

/**
 * Tombstones for the records removed, then every changed record read again once, 100 (the
 * hydrate batch) a request, several requests at once; one named and not found is gone too. A
 * STATE is due (by the usual cadence) between batches: it keeps the records still to read.
 */
async function* readNamed(
  ctx: SyncContext,
  def: StreamDef,
  cursor: ChangeFeedCursor,
  saved: Row,
  pending: Pending,
  removed: Map<string, number>,
): AsyncGenerator<Chunk> {
  const spec = def.pagination;
  if (spec.kind !== 'search-then-hydrate') throw new Error(`${def.name}: a change feed reads records again through a search-then-hydrate definition`);
  const field = cursor.field;
  const keys = new KeyTracker(ctx, def);
  const max = ctx.deletes?.maxKeys ?? Infinity;
  // The key set follows the changes: removed keys leave it, records read join it. None kept, none made.
  const stored = decodeKeys(saved['keys']);
  const left = new Map(pending.left);
  const base: Row = { [field]: saved[field], boundary: saved['boundary'], ...(typeof saved['full_at'] === 'number' ? { full_at: saved['full_at'] } : {}) };
  const keySet = (): Row => (stored && keys.tracking && stored.size <= max ? { keys: encodeKeys(stored) } : {});

  if (removed.size > 0) {
    for (const key of removed.keys()) stored?.delete(key);
    if (keys.tracking) yield { records: [...removed.keys()].map((key) => keys.tombstone(key)) };
  }
  const due = new CheckpointDue(ctx);
  const ownKeys = keyFields(def);
  const hydrate = async (ids: string[]): Promise<{ ids: string[]; found: Row[] }> => ({
    ids,
    found: await hydrateIds(ctx, def, spec as SearchThenHydrate, ids, undefined),
  });
  let gone = 0;
  for await (const { ids, found } of mapOrderedAsync(fromList(batches([...left.keys()], spec.hydrate.batchSize)), ctx.concurrency.hydrate, hydrate)) {
    const records: Row[] = [];
    const read = new Set<string>();
    for (const raw of found) {
      const record = emitted(def, raw, undefined);
      const key = keyText(ownKeys, record);
      const at = key === undefined ? undefined : left.get(key);
      if (key === undefined || at === undefined || read.has(key)) continue;
      read.add(key);
      records.push({ ...record, [field]: at });
    }
    for (const key of ids) {
      left.delete(key);
      if (read.has(key)) stored?.add(key);
      else {
        // Named, yet not found: removed since (its removal is in the feed after the sync's start, or nowhere).
        gone++;
        stored?.delete(key);
        if (keys.tracking) records.push(keys.tombstone(key));
      }
    }
    if (records.length > 0) yield { records };
    if (due.add(records.length) && left.size > 0) {
      const { bookmark } = pending;
      yield { checkpoint: { ...base, ...keySet(), pending: { [field]: bookmark.at, boundary: bookmark.boundary, left: Object.fromEntries(left) } } };
      due.written();
    }
  }
  if (gone > 0) ctx.logger.log('INFO', `${def.name}: ${gone} records named by the change feed no longer exist: tombstones emitted`);
  const { bookmark } = pending;
  yield {
    checkpoint: {
      [field]: bookmark.at,
      boundary: bookmark.boundary,
      ...(base['full_at'] === undefined ? {} : { full_at: base['full_at'] }),
      ...(stored ? keys.stored(stored) : {}),
    },
  };
}

/**
 * One walk of the feed (one kind of change), newest first: the entries after the bookmark and
 * before the sync's start, a page at a time, until a page reaches past the bookmark. An entry
 * of the bookmark's own second is new unless the boundary lists it, so entries sharing a second
 * are neither missed nor read twice.
 */
async function* walkFeed(ctx: SyncContext, def: StreamDef, feed: ChangeFeed, bookmark: Bookmark, query: Query, undated: () => void): AsyncGenerator<Row[]> {
  const source: StreamDef = {
    name: def.name,
    schemaFile: def.schemaFile,
    scope: def.scope,
    primaryKey: [],
    path: feed.path,
    records: feed.records,
    pagination: feed.pagination,
  };
  const boundary = new Set(bookmark.boundary);
  for await (const page of pages(ctx, source, { query })) {
    const kept: Row[] = [];
    let past = false;
    for (const entry of page.records) {
      const at = feed.timeOf(entry);
      if (at === undefined) {
        undated();
        continue;
      }
      // Dated at or after the start (a late clock, or written during the sync): the next sync reads it.
      if (at >= ctx.syncStartedAt) continue;
      if (at < bookmark.at) {
        past = true;
        continue;
      }
      if (at === bookmark.at && boundary.has(feed.idOf(entry) ?? '')) continue;
      kept.push(entry);
    }
    if (kept.length > 0) yield kept;
    if (past) return;
  }
}

async function* tagged(walk: AsyncGenerator<Row[]>, removes: boolean): AsyncGenerator<{ kept: Row[]; removes: boolean }> {
  for await (const kept of walk) yield { kept, removes };
}

async function* fromList<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

async function* stamped(read: AsyncGenerator<Chunk>, field: string, at: number): AsyncGenerator<Chunk> {
  for await (const chunk of read) yield 'records' in chunk ? { records: stampAll(chunk.records, field, at) } : chunk;
}

function stampAll(records: Row[], field: string, at: number): Row[] {
  return records.map((record) => ({ ...record, [field]: at }));
}

function withoutProgress(state: Row): Row {
  const { full: _full, pending: _pending, ...rest } = state;
  return rest;
}

function isObject(value: unknown): value is Row {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const isUnix = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

function bookmarkOf(state: Row, field: string): Bookmark | undefined {
  const at = state[field];
  if (!isUnix(at)) return undefined;
  return { at, boundary: isStrings(state['boundary']) ? state['boundary'] : [] };
}

function fullRunOf(state: Row): FullRun | undefined {
  const full = state['full'];
  if (!isObject(full)) return undefined;
  return {
    started: isUnix(full['started']) ? full['started'] : undefined,
    state: isObject(full['state']) ? full['state'] : {},
    keys: decodeKeys(full['keys']),
  };
}

function pendingOf(state: Row, field: string): Pending | undefined {
  const pending = state['pending'];
  if (!isObject(pending)) return undefined;
  const bookmark = bookmarkOf(pending, field);
  const left = pending['left'];
  if (!bookmark || !isObject(left)) return undefined;
  return { bookmark, left: new Map(Object.entries(left).filter((entry): entry is [string, number] => isUnix(entry[1]))) };
}

const iso = (at: number): string => new Date(at * 1000).toISOString();
const days = (seconds: number): string => String(Math.round((seconds / DAY) * 10) / 10);

/**
 * State: `{[cursor]: unix seconds, boundary: [entry ids of that second], full_at, keys}` after a
 * read; `full: {started, state, keys}` besides while a full read is under way (`state` is the
 * inner reader's: `{resume}` or `{export}`); `pending: {[cursor], boundary, left: {key: unix}}`
 * while an incremental read is reading records again. The full-refresh states of the version
 * before the feed (`{resume}`, `{export}`) are a full read under way.
 */
export const changeFeedReader: Reader = {
  reads: (def) => def.cursor?.mode === 'change-feed',
  loadState(def, saved, source) {
    const field = (def.cursor as ChangeFeedCursor).field;
    const state = migrated(def.name, saved, source);
    if (!holdsAny(def.name, state, [field, 'full', 'pending', 'keys', 'full_at'], field, source)) return undefined;
    const fix = fixOrRemove(def.name);
    checkUnixField(def.name, state, field, source, fix);
    checkUnixField(def.name, state, 'full_at', source, fix);
    checkStringList(def.name, state, 'boundary', source, fix);
    checkKeySet(def.name, state, source);
    checkObjectField(def.name, state, 'full', source, fix);
    checkObjectField(def.name, state, 'pending', source, fix);
    const full = state['full'];
    if (isObject(full)) {
      const where = `${def.name}.full`;
      checkUnixField(where, full, 'started', source, fix);
      checkObjectField(where, full, 'state', source, fix);
      checkKeySet(where, full, source);
    }
    const pending = state['pending'];
    if (isObject(pending)) {
      const where = `${def.name}.pending`;
      checkUnixField(where, pending, field, source, fix);
      checkStringList(where, pending, 'boundary', source, fix);
      for (const [key, at] of Object.entries(isObject(pending['left']) ? pending['left'] : {}))
        checkUnixField(`${where}.left`, { [key]: at }, key, source, fix);
      // Both are needed to go on: a pending read without them is damaged, not empty.
      checkUnixField(where, { [field]: pending[field] ?? null }, field, source, fix);
      checkObjectField(where, { left: pending['left'] ?? null }, 'left', source, fix);
    }
    return state;
  },
  read: (ctx, def, state, mode) => readChangeFeed(ctx, def, def.cursor as ChangeFeedCursor, state, mode === 'incremental'),
};

/** A full refresh of the version before the change feed, killed part-way: it goes on as this reader's full read. */
function migrated(stream: string, saved: Row, source: StateSource): Row {
  if ('full' in saved || !('resume' in saved || 'export' in saved)) return saved;
  source.warn(`State of ${stream} is a full read under way written before ${stream} was incremental; it continues as a full read`);
  return { full: { state: saved } };
}
