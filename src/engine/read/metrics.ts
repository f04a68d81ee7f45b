import { isoSeconds, type Resolution } from '../buckets.js';
import { CheckpointDue } from '../checkpoint.js';
import type { Chunk } from '../chunk.js';
import type { SyncContext } from '../context.js';
import { expectObject } from '../paginate.js';
import { eachPartition, partitionsOf } from '../partitions.js';
import { pathFor, type Incremental, type MetricsFormat, type Row, type SeriesTable, type StreamDef } from '../stream.js';
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

  let newest = resumed.newest;
  let asked = false;
  const due = new CheckpointDue(ctx);
  const partitions = (await partitionsOf(ctx, def)).filter((p) => !done.has(p.key));
  const progress = (): Chunk => {
    due.written();
    const partial = { done: [...done], ...(newest === undefined ? {} : { newest: isoSeconds(newest) }), until: isoSeconds(now), ...(incremental ? {} : { full: true }) };
    return { checkpoint: { ...(previous === undefined ? {} : { [cursor.field]: isoSeconds(previous) }), partial } };
  };
  yield* eachPartition(
    ctx,
    def,
    partitions,
    async function* ({ key, parent }) {
      asked = true;
      const path = pathFor(def, parent);
      const ids = cursor.ids(parent);
      const records: Row[] = [];
      for (const request of plan.requests) {
        const { body: raw, serverTime } = await ctx.api.send({ path, query: request.query });
        const body = expectObject(raw, def, path);
        for (const table of cursor.format.parse(body, res, serverTime, request, { stream: def.name, path })) {
          for (const [start, record] of bucketRows(table, ids, res, cursor.format, cursor.field)) {
            if (start < plan.firstWanted || start > now) continue;
            if (newest === undefined || start > newest) newest = start;
            records.push(record);
          }
        }
      }
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
  const bookmark = newest === undefined ? previous : Math.max(previous ?? newest, newest);
  yield { checkpoint: bookmark === undefined ? {} : { [cursor.field]: isoSeconds(bookmark) } };
}

interface Partial {
  done: string[];
  newest: number | undefined;
  until: number | undefined;
}

/** The entities a killed read of the same mode had finished, the newest bucket it had read, and the last it was to read. */
function partialOf(state: unknown, incremental: boolean): Partial {
  const partial = state && typeof state === 'object' ? (state as Row)['partial'] : undefined;
  if (!partial || typeof partial !== 'object' || ((partial as Row)['full'] === true) === incremental) return { done: [], newest: undefined, until: undefined };
  const { done, newest, until } = partial as Row;
  return { done: Array.isArray(done) ? done.map(String) : [], newest: secondsOf(newest), until: secondsOf(until) };
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
