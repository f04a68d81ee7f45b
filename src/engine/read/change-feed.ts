import type { Query } from '../../http/client.js';
import { CheckpointDue } from '../checkpoint.js';
import type { Chunk } from '../chunk.js';
import type { SyncContext } from '../context.js';
import { decodeKeys, encodeKeys } from '../key-set.js';
import { mapOrderedAsync, merge } from '../merge.js';
import { batches, hydrateIds, pages, type SearchThenHydrate } from '../paginate.js';
import { eachPartition, partitionsOf, type Partition } from '../partitions.js';
import { emitted, isPartitioned, keyText, ownKeyFields, type ChangeFeed, type Incremental, type Row, type StreamDef } from '../stream.js';
import { KeyTracker } from '../tombstones.js';
import { bulkExportReader } from './bulk-export.js';
import {
  bookmarkOf,
  fullRunOf,
  isObject,
  loadChangeFeedState,
  pendingOf,
  positionFields,
  withoutProgress,
  type Bookmark,
  type FullRun,
  type Pending,
  type Position,
} from './change-feed-state.js';
import { fullRefreshReader } from './full-refresh.js';
import type { Reader } from './reader.js';
import { partitionStates } from './state-fields.js';

type ChangeFeedCursor = Extract<Incremental, { mode: 'change-feed' }>;

const DAY = 86_400;

/**
 * One read of the change feed: a whole stream, or one partition of a child stream (its parent
 * says which kinds of change to walk and is the parent of every record read). Keys, and the
 * tombstones made of them, are the record's own: a child's are less what it takes from its parent.
 */
interface Scope {
  ctx: SyncContext;
  def: StreamDef;
  cursor: ChangeFeedCursor;
  keys: KeyTracker;
  part: Partition | undefined;
  /** For log lines: the stream, and the partition when there is one. */
  label: string;
  /** When this sync's full reads began, on the server's clock: one moment for every partition. */
  begun: () => number;
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
 *
 * A child stream (objects under their types) does all this per parent, each with its own state.
 */
async function* readChangeFeed(ctx: SyncContext, def: StreamDef, cursor: ChangeFeedCursor, state: unknown, incremental: boolean): AsyncGenerator<Chunk> {
  const saved = isObject(state) ? state : {};
  // A sample (preview, --test) reads a few records the way a full read does, and keeps no state.
  if (ctx.recordLimit !== undefined) return yield* stamped(fullReaderOf(def).read(ctx, def, {}, 'full_refresh'), cursor.field, ctx.syncStartedAt);
  const keys = new KeyTracker(ctx, def);
  let begun: number | undefined;
  // Taken when first asked, once an answer has told the server's clock.
  const startedAt = (): number => (begun ??= serverStart(ctx));
  if (!isPartitioned(def)) return yield* readScope({ ctx, def, cursor, keys, part: undefined, label: def.name, begun: startedAt }, saved, incremental);
  yield* readPartitions(ctx, def, cursor, keys, saved, incremental, startedAt);
}

/**
 * Each parent's own change-feed read, several at once. A parent gone (404 mid-read, or no longer
 * listed) takes its records along: tombstones for its stored keys, and its state is forgotten.
 */
async function* readPartitions(
  ctx: SyncContext,
  def: StreamDef,
  cursor: ChangeFeedCursor,
  keys: KeyTracker,
  saved: Row,
  incremental: boolean,
  begun: () => number,
): AsyncGenerator<Chunk> {
  const before = partitionStates(saved);
  const after: Record<string, Row> = {};
  const snapshot = (): Chunk => ({ checkpoint: { partitions: { ...before, ...after } } });
  const partitions = await partitionsOf(ctx, def);
  const parentName = def.parent?.stream.name ?? 'partition';
  const goneWith = (part: { key: string; parent: Row | undefined }): Row[] => {
    const stored = before[part.key]?.['keys'];
    delete before[part.key];
    delete after[part.key];
    return incremental ? keys.gone(stored, new Set(), part) : [];
  };
  yield* eachPartition(
    ctx,
    def,
    partitions,
    async function* (part) {
      const scope: Scope = { ctx, def, cursor, keys, part, label: `${def.name} of ${parentName} ${part.key}`, begun };
      for await (const chunk of readScope(scope, before[part.key] ?? {}, incremental)) {
        if ('records' in chunk) yield chunk;
        else {
          after[part.key] = chunk.checkpoint;
          yield snapshot();
        }
      }
    },
    (part) => {
      const gone = goneWith(part);
      return gone.length > 0 ? [{ records: gone }, snapshot()] : [snapshot()];
    },
  );
  const live = new Set(partitions.map((p) => p.key));
  for (const key of Object.keys({ ...before, ...after })) {
    if (live.has(key)) continue;
    const gone = goneWith({ key, parent: undefined });
    if (gone.length > 0) {
      ctx.logger.log('INFO', `${def.name}: ${parentName} ${key} is gone: tombstones for its ${gone.length} records`);
      yield { records: gone };
    }
  }
  const all = { ...before, ...after };
  // Past the size limit, no partition keeps a key set (a partial one would tombstone the rest).
  if (keys.stopped) for (const [key, value] of Object.entries(all)) all[key] = withoutKeys(value);
  yield { checkpoint: { partitions: all } };
}

/** One scope's read: a full read under way goes on, a pending one too; else the feed, unless a full read is due. */
async function* readScope(scope: Scope, saved: Row, incremental: boolean): AsyncGenerator<Chunk> {
  const { ctx, cursor, label } = scope;
  const run = fullRunOf(saved);
  if (run) {
    ctx.logger.log('INFO', `${label}: continuing the full read${run.started === undefined ? '' : ` begun at ${iso(run.started)}`}`);
    return yield* readFull(scope, saved, run, incremental);
  }
  if (!incremental) return yield* readFull(scope, saved, undefined, false);
  const pending = pendingOf(saved, cursor.field);
  if (pending) {
    ctx.logger.log('INFO', `${label}: continuing an incremental read: ${pending.left.size} records still to read`);
    return yield* readNamed(scope, saved, pending, []);
  }
  const bookmark = bookmarkOf(saved, cursor.field);
  const why = fullReadReason(ctx, cursor, bookmark, saved);
  if (why) {
    ctx.logger.log(why.level, `${label}: reading everything: ${why.text}`);
    return yield* readFull(scope, saved, undefined, true);
  }
  yield* readChanges(scope, saved, bookmark as Position);
}

/** Why this incremental sync reads everything, or undefined when the feed can say what changed. */
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

/** Everything in a scope: the stream's own reader, or a partition's pages; a page token to resume from. */
function readWhole(scope: Scope, state: Row): AsyncGenerator<Chunk> {
  const { ctx, def, part } = scope;
  return part === undefined ? fullReaderOf(def).read(ctx, def, state, 'full_refresh') : partitionPages(ctx, def, part, state);
}

async function* partitionPages(ctx: SyncContext, def: StreamDef, part: Partition, state: Row): AsyncGenerator<Chunk> {
  const resume = isObject(state['resume']) ? state['resume'] : {};
  const start = typeof resume['start'] === 'string' ? resume['start'] : undefined;
  for await (const page of pages(ctx, def, start === undefined ? { parent: part.parent } : { parent: part.parent, start })) {
    if (page.records.length > 0) yield { records: page.records };
    if (page.next !== undefined) yield { checkpoint: { resume: { start: page.next } } };
  }
  yield { checkpoint: {} };
}

/**
 * Everything, through the stream's own reader. The resume state the inner reader checkpoints is
 * kept under `full` with the read's start and the keys emitted so far, so a restart continues
 * it and still knows, at the end, which keys of the previous set are gone. Records carry the
 * start of the read (a continued one: the start of the first part): the next sync reads the
 * feed from there, so changes to records read early in a long read are not lost.
 */
async function* readFull(scope: Scope, saved: Row, run: FullRun | undefined, tombstones: boolean): AsyncGenerator<Chunk> {
  const { ctx, cursor, keys, part, label } = scope;
  const field = cursor.field;
  // A continued read keeps the start of its first part.
  const started = (): number => run?.started ?? scope.begun();
  // A continued read whose first part kept no keys cannot tell what is gone: no tombstones, no key set.
  const complete = run === undefined || run.keys !== undefined;
  const seen = new Set(run?.keys ?? []);
  const max = ctx.deletes?.maxKeys ?? Infinity;
  // The previous key set rides along: the tombstones at the end of a continued read need it.
  const carried = withoutProgress(saved);
  for await (const chunk of readWhole(scope, run?.state ?? {})) {
    if ('records' in chunk) {
      keys.note(seen, chunk.records);
      yield { records: stampAll(chunk.records, field, started()) };
    } else if (Object.keys(chunk.checkpoint).length > 0) {
      // The inner reader's `{}` says it finished: the final state below says more.
      const known = complete && keys.tracking && seen.size <= max ? { keys: encodeKeys(seen) } : {};
      yield { checkpoint: { ...carried, full: { started: started(), state: chunk.checkpoint, ...known } } };
    }
  }
  if (tombstones && complete) {
    const gone = keys.gone(saved['keys'], seen, part);
    if (gone.length > 0) {
      ctx.logger.log('INFO', `${label}: ${gone.length} records of the last full read are gone: tombstones emitted`);
      yield { records: gone };
    }
  }
  yield { checkpoint: { [field]: started(), boundary: [], full_at: started(), ...(complete ? keys.stored(seen) : {}) } };
}

/**
 * When a full read began, on the server's clock: the feed dates changes by it, and a bookmark
 * on ours, were the server's behind, would pass over the changes made just after the read
 * began. Our start, moved back by how far the server stands behind (a second is the Date
 * header's rounding, not a lag); ours when no answer told.
 */
function serverStart(ctx: SyncContext): number {
  const offset = ctx.api.serverOffset() ?? 0;
  return ctx.syncStartedAt + (offset <= -2 ? offset : 0);
}

/**
 * The feed walked since the bookmark, each walk from its own position: what changed, what went;
 * then what changed is read again. The stream's bookmark becomes the newest entry any walk read;
 * a walk that ends behind it keeps its own position.
 */
async function* readChanges(scope: Scope, saved: Row, bookmark: Position): AsyncGenerator<Chunk> {
  const { ctx, cursor, keys, part, label } = scope;
  const feed = cursor.feed;
  const changed = new Map<string, number>();
  const removed = new Map<string, number>();
  // Grouped streams: members (people) named, whose groups are read again, or whose records are gone.
  const members = { changed: new Map<string, number>(), removed: new Map<string, number>() };
  const stored = decodeKeys(saved['keys']);
  const index = feed.groups && stored && keys.tracking ? groupIndex(feed.groups, stored) : undefined;
  let entries = 0;
  let undated = 0;
  const note = (map: Map<string, number>, key: string | undefined, at: number): void => {
    if (key === undefined || key === '') return;
    const before = map.get(key);
    if (before === undefined || at > before) map.set(key, at);
  };
  // A member's groups are known from the stored keys only: without them, its walks could say nothing.
  const walked = feed
    .walks(part?.parent)
    .filter((walk) => walk.names !== 'member' || index !== undefined)
    .map((walk) => {
      const key = walkKey(walk.query);
      const from = bookmark.walks[key] ?? { at: bookmark.at, boundary: bookmark.boundary };
      return { key, walk, from, newest: from.at, atNewest: new Set(from.boundary) };
    });
  const walks = walked.map((w, index) =>
    tagged(
      walkFeed(scope, w.from, w.walk.query, () => undated++),
      index,
    ),
  );
  for await (const { kept, index } of merge(walks, ctx.concurrency.partitions)) {
    const w = walked[index] as (typeof walked)[number];
    const into = w.walk.names === 'member' ? members : { changed, removed };
    for (const entry of kept) {
      const at = feed.timeOf(entry) as number; // walkFeed keeps dated entries only
      entries++;
      note(w.walk.removes === true ? into.removed : into.changed, feed.keyOf(entry), at);
      note(into.removed, feed.removedBy(entry), at);
      if (at > w.newest) {
        w.newest = at;
        w.atNewest = new Set();
      }
      const id = feed.idOf(entry);
      if (at === w.newest && id !== undefined) w.atNewest.add(id);
    }
  }
  if (undated > 0) ctx.logger.log('WARN', `${label}: ${undated} change feed entries had no time and were skipped`);
  // A changed member's groups are read again; a removed member's records are gone, without a request.
  for (const [member, at] of members.changed) for (const group of index?.groupsOf.get(member) ?? []) note(changed, group, at);
  // Gone wins: a record removed after its last change has nothing left to read.
  for (const key of removed.keys()) changed.delete(key);
  const gone = new Set<string>();
  for (const group of removed.keys()) for (const key of index ? (index.keysOf.get(group) ?? []) : [group]) gone.add(key);
  for (const member of members.removed.keys()) for (const key of index?.keysWith.get(member) ?? []) gone.add(key);
  ctx.logger.log(
    'INFO',
    `${label}: ${entries} change feed entries since ${iso(bookmark.at)}: ${changed.size} ${feed.groups ? 'groups' : 'records'} to read again, ${gone.size} records gone`,
  );
  const newest = Math.max(bookmark.at, ...walked.map((w) => w.newest));
  const position: Position = { at: newest, boundary: [], walks: {} };
  const boundary = new Set<string>();
  for (const w of walked) {
    if (w.newest === newest) for (const id of w.atNewest) boundary.add(id);
    else position.walks[w.key] = { at: w.newest, boundary: [...w.atNewest].sort() };
  }
  position.boundary = [...boundary].sort();
  yield* readNamed(scope, saved, { bookmark: position, left: changed }, [...gone]);
}

/** The stored keys of a grouped stream by group and by member. */
function groupIndex(
  groups: NonNullable<ChangeFeed['groups']>,
  stored: ReadonlySet<string>,
): { keysOf: Map<string, string[]>; keysWith: Map<string, string[]>; groupsOf: Map<string, Set<string>> } {
  const keysOf = new Map<string, string[]>();
  const keysWith = new Map<string, string[]>();
  const groupsOf = new Map<string, Set<string>>();
  for (const key of stored) {
    const split = groups.ofKey(key);
    if (!split) continue;
    keysOf.set(split.group, [...(keysOf.get(split.group) ?? []), key]);
    keysWith.set(split.member, [...(keysWith.get(split.member) ?? []), key]);
    groupsOf.set(split.member, (groupsOf.get(split.member) ?? new Set()).add(split.group));
  }
  return { keysOf, keysWith, groupsOf };
}

/** A walk's name in the state: its query, keys sorted. */
function walkKey(query: Query): string {
  return Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`)
    .sort()
    .join('&');
}

/**
 * Tombstones for the records removed, then every changed record (or group of records) read again
 * once, a hydrate batch a request, several requests at once; a record named and not found, or a
 * stored record of a group read again and no longer in it, is gone too. A STATE is due (by the
 * usual cadence) between batches: it keeps what is still to read.
 */
async function* readNamed(scope: Scope, saved: Row, pending: Pending, removed: readonly string[]): AsyncGenerator<Chunk> {
  const { ctx, def, cursor, keys, part, label } = scope;
  const spec = def.pagination;
  if (spec.kind !== 'search-then-hydrate') throw new Error(`${def.name}: a change feed reads records again through a search-then-hydrate definition`);
  const field = cursor.field;
  const groups = cursor.feed.groups;
  const max = ctx.deletes?.maxKeys ?? Infinity;
  // The key set follows the changes: removed keys leave it, records read join it. None kept, none made.
  const stored = decodeKeys(saved['keys']);
  const left = new Map(pending.left);
  const base: Row = {
    [field]: saved[field],
    boundary: saved['boundary'],
    ...(saved['walks'] === undefined ? {} : { walks: saved['walks'] }),
    ...(typeof saved['full_at'] === 'number' ? { full_at: saved['full_at'] } : {}),
  };
  const keySet = (): Row => (stored && keys.tracking && stored.size <= max ? { keys: encodeKeys(stored) } : {});

  if (removed.length > 0) {
    for (const key of removed) stored?.delete(key);
    if (keys.tracking) yield { records: removed.map((key) => keys.tombstone(key, part)) };
  }
  const groupOf = (key: string): string | undefined => (groups ? groups.ofKey(key)?.group : key);
  const index = groups && stored ? groupIndex(groups, stored).keysOf : undefined;
  const due = new CheckpointDue(ctx);
  const ownKeys = ownKeyFields(def);
  const parent = part?.parent;
  const hydrate = async (ids: string[]): Promise<{ ids: string[]; found: Row[] }> => ({
    ids,
    found: await hydrateIds(ctx, def, spec as SearchThenHydrate, ids, parent),
  });
  let gone = 0;
  for await (const { ids, found } of mapOrderedAsync(fromList(batches([...left.keys()], spec.hydrate.batchSize)), ctx.concurrency.hydrate, hydrate)) {
    const records: Row[] = [];
    const read = new Set<string>();
    for (const raw of found) {
      const record = emitted(def, raw, parent);
      const key = keyText(ownKeys, record);
      const group = key === undefined ? undefined : groupOf(key);
      const at = group === undefined ? undefined : left.get(group);
      if (key === undefined || at === undefined || read.has(key)) continue;
      read.add(key);
      records.push({ ...record, [field]: at });
    }
    for (const key of read) stored?.add(key);
    for (const group of ids) {
      left.delete(group);
      // Named, yet not found: removed since (its removal is in the feed after the sync's start, or nowhere).
      const missing = groups ? (index?.get(group) ?? []).filter((key) => !read.has(key)) : read.has(group) ? [] : [group];
      for (const key of missing) {
        gone++;
        stored?.delete(key);
        if (keys.tracking) records.push(keys.tombstone(key, part));
      }
    }
    if (records.length > 0) yield { records };
    if (due.add(records.length) && left.size > 0) {
      yield { checkpoint: { ...base, ...keySet(), pending: { ...positionFields(pending.bookmark, field), left: Object.fromEntries(left) } } };
      due.written();
    }
  }
  if (gone > 0) ctx.logger.log('INFO', `${label}: ${gone} records named by the change feed no longer exist: tombstones emitted`);
  yield {
    checkpoint: {
      ...positionFields(pending.bookmark, field),
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
async function* walkFeed(scope: Scope, bookmark: Bookmark, query: Query, undated: () => void): AsyncGenerator<Row[]> {
  const { ctx, def, cursor } = scope;
  const feed = cursor.feed;
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

async function* tagged(walk: AsyncGenerator<Row[]>, index: number): AsyncGenerator<{ kept: Row[]; index: number }> {
  for await (const kept of walk) yield { kept, index };
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

function withoutKeys(state: Row): Row {
  const { keys: _dropped, ...rest } = state;
  return rest;
}

const iso = (at: number): string => new Date(at * 1000).toISOString();
const days = (seconds: number): string => String(Math.round((seconds / DAY) * 10) / 10);

/**
 * State: `{[cursor]: unix seconds, boundary: [entry ids of that second], walks, full_at, keys}`
 * after a read, where `walks` (`{query: {[cursor], boundary}}`) lists the walks that stand
 * behind the stream's bookmark; `full: {started, state, keys}` besides while a full read is under
 * way (`state` is the inner reader's: `{resume}` or `{export}`); `pending: {[cursor], boundary, walks, left: {key: unix}}`
 * while an incremental read is reading records again. A child stream keeps one such state per
 * parent: `{partitions: {parent key: state}}`. The full-refresh states of the version before the
 * feed (`{resume}`, `{export}`) are a full read under way.
 */
export const changeFeedReader: Reader = {
  reads: (def) => def.cursor?.mode === 'change-feed',
  loadState: (def, saved, source) => loadChangeFeedState(def, (def.cursor as ChangeFeedCursor).field, saved, source),
  read: (ctx, def, state, mode) => readChangeFeed(ctx, def, def.cursor as ChangeFeedCursor, state, mode === 'incremental'),
};
