import { createHash } from 'node:crypto';
import { TapError } from '../../errors.js';
import { isoSeconds, type Resolution } from '../buckets.js';
import { CheckpointDue } from '../checkpoint.js';
import type { Chunk } from '../chunk.js';
import type { SyncContext } from '../context.js';
import { expectObject } from '../paginate.js';
import { eachPartition, partitionsOf } from '../partitions.js';
import { pathFor, type Incremental, type MetricsFormat, type MetricsRequest, type Row, type SeriesTable, type StreamDef } from '../stream.js';
import { readFrom, timeRange } from '../time-range.js';
import type { Reader } from './reader.js';
import { checkIsoField, fixOrRemove, holdsAny } from './state-fields.js';

type Metrics = Extract<Incremental, { mode: 'metrics' }>;

/** First sync without a range start: a year of buckets, a month of hours. */
const DEFAULT_HISTORY_DAYS: Record<Resolution, number> = { hours: 30, days: 365, weeks: 365, months: 365 };

/**
 * One record per entity and time bucket, one integer column per series. Buckets are re-read
 * from the bookmark less the lookback (recent counts still grow); the bookmark is the newest
 * bucket start read, never past the sync's start. The stream's format says how the endpoint is
 * asked and what its answer holds.
 *
 * A sync costs what changed (incremental only):
 * - records: each entity's buckets of the last lookback are kept as a digest; an entity whose
 *   re-read buckets hash the same emits only the buckets newer than the bookmark;
 * - requests: a stream whose counts add up to a parent's (`rollsUpTo`: actions to their
 *   campaign, links to their campaign's clicks) asks nothing under a parent whose own answer is
 *   the same as last time, except every `childrenEverySeconds`, when every entity is read.
 */
async function* readMetrics(ctx: SyncContext, def: StreamDef, cursor: Metrics, state: unknown, incremental: boolean): AsyncGenerator<Chunk> {
  const res = ctx.bucket;
  const range = timeRange(ctx);
  // A read killed part-way left the entities it had finished: they are not asked again, and the
  // rest are read up to where the killed read was going, so every entity ends on the same
  // bucket and the bookmark covers them all. Only a read of the same mode is continued: an
  // incremental read's progress says nothing of what a full refresh owes.
  const resumed = partialOf(state, incremental);
  // The last bucket that may be read: the one that holds the end of the range.
  const now = Math.min(range.end - 1, resumed.until ?? Infinity);
  const previous = incremental ? bookmarkOf(state, cursor.field) : undefined;
  const from = Math.min(now, readFrom(range, previous, cursor.lookbackSeconds, DEFAULT_HISTORY_DAYS[res] * 86_400));
  const plan = cursor.format.requests(from, now, res);
  const done = new Set(resumed.done);
  if (done.size > 0) ctx.logger.log('INFO', `${def.name}: resuming, ${done.size} entities already read`);
  const before = incremental ? changesOf(state) : EMPTY_CHANGES;
  const after: Changes = { digests: { ...resumed.digests }, parents: { ...resumed.parents } };
  const rollup = cursor.rollsUpTo;
  const everyChild = rollup !== undefined && (before.childrenAt === undefined || ctx.syncStartedAt - before.childrenAt >= rollup.childrenEverySeconds);
  const childrenAt = everyChild ? ctx.syncStartedAt : before.childrenAt;
  const parentRows = rollup ? parentBuckets(ctx, rollup.stream, from, now) : undefined;

  let newest = resumed.newest;
  // The newest bucket of the parents asked: the children's own newest may lag it (no row yet in
  // the current bucket), and a bookmark behind the parent's would ask the parent over a window
  // its own stream does not, so the answer could not be shared.
  let parentNewest: number | undefined;
  let asked = false;
  const due = new CheckpointDue(ctx);
  const partitions = (await partitionsOf(ctx, def)).filter((p) => !done.has(p.key));
  const progress = (): Chunk => {
    due.written();
    const partial = {
      done: [...done],
      ...(newest === undefined ? {} : { newest: isoSeconds(newest) }),
      until: isoSeconds(now),
      ...(incremental ? {} : { full: true }),
      ...changesState(after, undefined),
    };
    return { checkpoint: { ...(previous === undefined ? {} : { [cursor.field]: isoSeconds(previous) }), ...changesState(before, before.childrenAt), partial } };
  };
  yield* eachPartition(
    ctx,
    def,
    partitions,
    async function* ({ key, parent }) {
      if (rollup && parentRows) {
        const parentRow = rollup.parentOf(parent);
        const parentPath = pathFor(rollup.stream, parentRow);
        const answer = await parentRows(parentRow);
        if (answer === 'gone') {
          // Deleted since its list was read: what is under it answers 404 too, and is not asked.
          ctx.logger.log('INFO', `${def.name}: ${rollup.stream.name} ${parentPath} no longer exists (404); skipped`);
          done.add(key);
          return;
        }
        const seen = parentSeen(answer.rows, cursor.lookbackSeconds);
        for (const [start] of answer.rows) if (parentNewest === undefined || start > parentNewest) parentNewest = start;
        after.parents[parentPath] = seen;
        // The parent's own counts did not move and the server's clock reached no bucket of this
        // stream the last read did not have: neither did the counts that add up to the parent's.
        const kept = before.digests[key];
        const noNewBucket = previous !== undefined && cursor.format.bucketOf(Math.min(now, answer.serverTime ?? now), res) <= previous;
        if (!everyChild && noNewBucket && before.parents[parentPath] === seen && kept !== undefined) {
          after.digests[key] = kept;
          done.add(key);
          return;
        }
      }
      asked = true;
      const path = pathFor(def, parent);
      const ids = cursor.ids(parent);
      const rows: Array<[number, Row]> = [];
      for (const request of plan.requests) {
        const answer = await metricsAnswer(ctx, def, path, request);
        const body = expectObject(answer.body, def, path);
        for (const table of cursor.format.parse(body, res, answer.serverTime, request, { stream: def.name, path })) {
          for (const [start, record] of bucketRows(table, ids, res, cursor.format, cursor.field)) {
            if (start < plan.firstWanted || start > now) continue;
            if (newest === undefined || start > newest) newest = start;
            rows.push([start, record]);
          }
        }
      }
      after.digests[key] = recentDigest(rows, cursor.lookbackSeconds);
      const records = changedRows(rows, previous, before.digests[key], cursor.lookbackSeconds);
      if (records.length > 0) yield { records };
      done.add(key);
      if (due.add(records.length)) yield progress();
    },
    ({ key }) => {
      done.add(key);
      return undefined;
    },
  );
  if (asked && plan.limitNote !== undefined) ctx.logger.log('WARN', `${def.name}: ${plan.limitNote}`);
  const read = newest === undefined ? previous : Math.max(previous ?? newest, newest);
  const bookmark = read === undefined || parentNewest === undefined ? read : Math.max(read, Math.min(parentNewest, now));
  yield { checkpoint: bookmark === undefined ? {} : { [cursor.field]: isoSeconds(bookmark), ...changesState(after, childrenAt) } };
}

/** What the last read left to compare with: per entity, per rollup parent, and when every child was last read. */
interface Changes {
  digests: Record<string, string>;
  parents: Record<string, string>;
  childrenAt?: number | undefined;
}

const EMPTY_CHANGES: Changes = { digests: {}, parents: {} };

function changesOf(state: unknown): Changes {
  const value = state && typeof state === 'object' ? (state as Row) : {};
  return { digests: stringMap(value['digests']), parents: stringMap(value['parents']), childrenAt: secondsOf(value['children_at']) };
}

/** Copies: a checkpoint goes out while the read goes on adding to these. */
function changesState(changes: Changes, childrenAt: number | undefined): Row {
  return {
    ...(Object.keys(changes.digests).length > 0 ? { digests: { ...changes.digests } } : {}),
    ...(Object.keys(changes.parents).length > 0 ? { parents: { ...changes.parents } } : {}),
    ...(childrenAt === undefined ? {} : { children_at: isoSeconds(childrenAt) }),
  };
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Row).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * The rows to emit of an entity: all of them, unless the buckets the last read also read (its
 * lookback, up to its bookmark) hash the same as then; then only the buckets after the bookmark.
 */
function changedRows(rows: Array<[number, Row]>, previous: number | undefined, kept: string | undefined, lookbackSeconds: number): Row[] {
  if (previous === undefined || kept === undefined || digestOf(rows, previous - lookbackSeconds, previous) !== kept) return rows.map(([, row]) => row);
  return rows.filter(([start]) => start > previous).map(([, row]) => row);
}

/** The digest the next read compares with: the buckets of the lookback up to the newest read. */
function recentDigest(rows: Array<[number, Row]>, lookbackSeconds: number): string {
  const top = rows.reduce((latest, [start]) => Math.max(latest, start), Number.NEGATIVE_INFINITY);
  return digestOf(rows, top - lookbackSeconds, top);
}

/** A short hash of an entity's rows of the buckets in [since, until], in bucket order. */
function digestOf(rows: Array<[number, Row]>, since: number, until: number): string {
  const hash = createHash('sha1');
  for (const [start, row] of [...rows].sort((a, b) => a[0] - b[0])) if (start >= since && start <= until) hash.update(`${JSON.stringify(row)}\n`);
  return hash.digest('base64url').slice(0, 12);
}

/**
 * A metrics answer; those of streams another one rolls up to are kept for the sync, so a parent
 * asked by its own stream and by its children's costs one request.
 */
function metricsAnswer(ctx: SyncContext, def: StreamDef, path: string, request: MetricsRequest): Promise<{ body: unknown; serverTime: number | undefined }> {
  const shared = ctx.sharedMetrics;
  if (!shared?.streams.has(def.name)) return ctx.api.send({ path, query: request.query });
  const key = `${path}?${Object.entries(request.query)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&')}`;
  let answer = shared.answers.get(key);
  if (!answer) {
    answer = ctx.api.send({ path, query: request.query });
    answer.catch(() => undefined); // awaited by every reader that asks: the failure is theirs
    shared.answers.set(key, answer);
  }
  return answer;
}

/** What a rollup parent showed: its newest bucket and the digest of its lookback up to it. */
function parentSeen(rows: Array<[number, Row]>, lookbackSeconds: number): string {
  const top = rows.reduce((latest, [start]) => Math.max(latest, start), Number.NEGATIVE_INFINITY);
  return `${top}:${digestOf(rows, top - lookbackSeconds, top)}`;
}

type ParentAnswer = { rows: Array<[number, Row]>; serverTime: number | undefined };

/** A rollup parent's buckets over the window being read, asked once per parent per read ('gone': it answered 404). */
function parentBuckets(ctx: SyncContext, parent: StreamDef, from: number, now: number): (parentRow: Row) => Promise<ParentAnswer | 'gone'> {
  const cursor = parent.cursor;
  if (cursor?.mode !== 'metrics') throw new Error(`${parent.name} is not a metrics stream`);
  const plan = cursor.format.requests(from, now, ctx.bucket);
  const asked = new Map<string, Promise<ParentAnswer | 'gone'>>();
  return (parentRow) => {
    const path = pathFor(parent, parentRow);
    let answer = asked.get(path);
    if (!answer) {
      answer = (async () => {
        const rows: Array<[number, Row]> = [];
        let serverTime: number | undefined;
        for (const request of plan.requests) {
          let got: { body: unknown; serverTime: number | undefined };
          try {
            got = await metricsAnswer(ctx, parent, path, request);
          } catch (error) {
            if (error instanceof TapError && error.code === 'NOT_FOUND') return 'gone';
            throw error;
          }
          serverTime = got.serverTime ?? serverTime;
          const body = expectObject(got.body, parent, path);
          for (const table of cursor.format.parse(body, ctx.bucket, got.serverTime, request, { stream: parent.name, path })) {
            for (const [start, row] of bucketRows(table, cursor.ids(parentRow), ctx.bucket, cursor.format, cursor.field)) {
              if (start >= plan.firstWanted && start <= now) rows.push([start, row]);
            }
          }
        }
        return { rows, serverTime };
      })();
      answer.catch(() => undefined); // awaited by the partition that asked
      asked.set(path, answer);
    }
    return answer;
  };
}

interface Partial {
  done: string[];
  newest: number | undefined;
  until: number | undefined;
  digests: Record<string, string>;
  parents: Record<string, string>;
}

/** The entities a killed read of the same mode had finished, the newest bucket it had read, the last it was to read, and their digests. */
function partialOf(state: unknown, incremental: boolean): Partial {
  const partial = state && typeof state === 'object' ? (state as Row)['partial'] : undefined;
  if (!partial || typeof partial !== 'object' || ((partial as Row)['full'] === true) === incremental)
    return { done: [], newest: undefined, until: undefined, digests: {}, parents: {} };
  const { done, newest, until, digests, parents } = partial as Row;
  return {
    done: Array.isArray(done) ? done.map(String) : [],
    newest: secondsOf(newest),
    until: secondsOf(until),
    digests: stringMap(digests),
    parents: stringMap(parents),
  };
}

function secondsOf(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function bookmarkOf(state: unknown, field: string): number | undefined {
  const value = state && typeof state === 'object' ? (state as Row)[field] : undefined;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** One record per bucket of a series table: the format's series as columns, the rest in `other_series`. */
function bucketRows(table: SeriesTable, ids: Row, res: Resolution, format: MetricsFormat, field: string): Array<[number, Row]> {
  const { series } = table;
  const length = Math.max(0, ...Object.values(series).map((v) => (Array.isArray(v) ? v.length : 0)));
  const rows: Array<[number, Row]> = [];
  for (let i = 0; i < length; i++) {
    const start = table.startOf(i);
    if (table.last !== undefined && start > table.last) continue;
    const record: Row = { ...ids, ...table.ids, resolution: res, [field]: isoSeconds(start), ...table.extra };
    let other: Row | null = null;
    for (const name of format.series) record[name] = null;
    for (const [name, values] of Object.entries(series)) {
      const value = Array.isArray(values) ? (values[i] ?? null) : null;
      if (format.series.includes(name)) record[name] = value;
      else (other ??= {})[name] = value;
    }
    record['other_series'] = other;
    rows.push([start, record]);
  }
  return rows;
}

/**
 * State: `{[cursor]: RFC 3339}`, the newest bucket read, plus `partial: {done, newest}` (the
 * entities finished and the newest bucket seen) while a read is under way. Both modes: a full
 * refresh is the same bucket read without the bookmark.
 */
export const metricsReader: Reader = {
  reads: (def) => def.cursor?.mode === 'metrics',
  loadState(def, saved, source) {
    const field = (def.cursor as Metrics).field;
    if (!holdsAny(def.name, saved, [field, 'partial'], field, source)) return undefined;
    checkIsoField(def.name, saved, field, source, fixOrRemove(def.name));
    return saved;
  },
  read: (ctx, def, state, mode) => readMetrics(ctx, def, def.cursor as Metrics, state, mode === 'incremental'),
};
