import { TapError } from '../errors.js';
import type { Query } from '../http/client.js';
import { addBuckets, bucketsBetween, bucketStart, isoSeconds, US_EASTERN, type Resolution } from './buckets.js';
import type { Chunk } from './chunk.js';
import type { SyncContext } from './context.js';
import { expectObject } from './paginate.js';
import { eachPartition, partitionsOf } from './partitions.js';
import { readFrom, timeRange } from './time-range.js';
import { pathFor, type Incremental, type MetricsApi, type Row, type StreamDef } from './stream.js';

type Metrics = Extract<Incremental, { mode: 'metrics' }>;

/** The 26 series the current spec lists; anything else is kept in `other_series`. */
export const DELIVERY_SERIES = [
  'attempted', 'bounced', 'clicked', 'converted', 'created', 'deferred', 'delivered', 'drafted', 'failed',
  'human_clicked', 'human_opened', 'link_untracked', 'machine_clicked', 'open_untracked', 'opened',
  'prefetch_opened', 'replied', 'sent', 'spammed', 'suppressed', 'topic_unsubscribed',
  'tracking_consent_denied', 'tracking_consent_granted', 'undeliverable', 'unsubscribed', 'untracked',
] as const;
export const JOURNEY_SERIES = ['started', 'activated', 'exited_early', 'finished', 'converted', 'never_activated', 'messaged'] as const;
export const LINK_SERIES = ['clicked', 'human_clicked', 'machine_clicked'] as const;

/** v1 `steps` maxima per period (the spec's figures; months is 121). */
const V1_MAX_STEPS: Record<Resolution, number> = { hours: 24, days: 45, weeks: 12, months: 121 };
/**
 * Buckets per request of the start/end endpoints: `end` is at most 10 years after `start`
 * (campaignMetrics), so each span stays under 3,650 days (hours: 87,600; weeks: 521; months: 119).
 */
const MAX_SPAN_BUCKETS: Record<Resolution, number> = { hours: 3_650 * 24, days: 3_650, weeks: 521, months: 119 };
/** First sync without start_date: a year of buckets, a month of hours. */
const DEFAULT_HISTORY_DAYS: Record<Resolution, number> = { hours: 30, days: 365, weeks: 365, months: 365 };

export function seriesOf(api: MetricsApi): readonly string[] {
  if (api.kind === 'journey') return JOURNEY_SERIES;
  if (api.kind === 'v1-links') return LINK_SERIES;
  return DELIVERY_SERIES;
}

/**
 * One record per entity and time bucket, one integer column per series. Buckets are re-read
 * from the bookmark less the lookback (recent counts still grow); the bookmark is the newest
 * bucket start read, never past the sync's start.
 */
export async function* readMetrics(ctx: SyncContext, def: StreamDef, cursor: Metrics, state: unknown): AsyncGenerator<Chunk> {
  const res = ctx.config.metrics_resolution;
  const range = timeRange(ctx);
  // The last bucket that may be read: the one that holds the end of the range.
  const now = range.end - 1;
  const previous = bookmarkOf(state);
  const from = Math.min(now, readFrom(range, previous, ctx.config.metrics_lookback_days * 86_400, DEFAULT_HISTORY_DAYS[res] * 86_400));

  let newest: number | undefined;
  let capped = false;
  const partitions = await partitionsOf(ctx, def);
  yield* eachPartition(ctx, def, partitions, async function* ({ parent }) {
    const fetched = await fetchBuckets(ctx, def, cursor, parent, from, now, res);
    capped ||= fetched.capped;
    const records: Row[] = [];
    for (const row of fetched.rows) {
      if (row.start < fetched.firstWanted || row.start > now) continue;
      if (newest === undefined || row.start > newest) newest = row.start;
      records.push(row.record);
    }
    if (records.length > 0) yield { records };
  });
  if (capped) {
    ctx.logger.log('WARN', `${def.name}: the API serves at most ${V1_MAX_STEPS[res]} ${res} of history; older buckets were not available`);
  }
  const bookmark = newest === undefined ? previous : Math.max(previous ?? newest, newest);
  yield { checkpoint: bookmark === undefined ? {} : { period_start: isoSeconds(bookmark) } };
}

function bookmarkOf(state: unknown): number | undefined {
  const value = state && typeof state === 'object' ? (state as Row)['period_start'] : undefined;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

interface Fetched {
  rows: Array<{ start: number; record: Row }>;
  firstWanted: number;
  capped: boolean;
}

async function fetchBuckets(ctx: SyncContext, def: StreamDef, cursor: Metrics, parent: Row, from: number, now: number, res: Resolution): Promise<Fetched> {
  const path = pathFor(def, parent);
  const ids = cursor.ids(parent);
  const api = cursor.api;
  if (api.kind === 'v2' || api.kind === 'journey') {
    const firstWanted = bucketStart(from, res, 'UTC');
    const rows: Fetched['rows'] = [];
    // `end` may be at most 10 years after `start`: a longer range is asked in spans of whole
    // buckets that each stay under it, so no bucket is asked twice.
    for (let start = firstWanted; start <= now; ) {
      const next = addBuckets(start, res, MAX_SPAN_BUCKETS[res], 'UTC');
      const end = Math.min(now, next - 1);
      const query: Query = api.kind === 'v2' ? { version: 2, res, start, end, tz: 'UTC' } : { start, end, resolution: res };
      const { body: raw, serverTime } = await ctx.api.send({ path, query });
      const body = expectObject(raw, def, path);
      const echoed = typeof body['start'] === 'string' ? Date.parse(body['start']) : Number.NaN;
      const first = Number.isNaN(echoed) ? start : Math.floor(echoed / 1000);
      const series = api.kind === 'v2' ? seriesAt(body, ['metric', 'series'], def, path) : seriesAt(body, ['journey_metric'], def, path);
      const spanRows = bucketRows(series, (i) => addBuckets(first, res, i, 'UTC'), ids, res, seriesOf(api), extra(body));
      // Buckets after the server's own now hold nothing yet: they are read when they exist.
      for (const row of spanRows) if ((serverTime === undefined || row.start <= serverTime) && row.start <= end) rows.push(row);
      start = next;
    }
    return { rows, firstWanted, capped: false };
  }

  const wanted = bucketsBetween(from, now, res, US_EASTERN);
  const steps = Math.max(2, Math.min(wanted, V1_MAX_STEPS[res]));
  const { body: raw, serverTime } = await ctx.api.send({ path, query: { period: res, steps } });
  const body = expectObject(raw, def, path);
  // The last bucket is the server's current period: its clock, not ours, decides which that is.
  const current = bucketStart(serverTime ?? now, res, US_EASTERN);
  const firstWanted = bucketStart(from, res, US_EASTERN);
  const capped = wanted > V1_MAX_STEPS[res];
  if (api.kind === 'v1') {
    const series = seriesAt(body, ['metric', 'series'], def, path);
    const length = longest(series);
    return { rows: bucketRows(series, (i) => addBuckets(current, res, i - (length - 1), US_EASTERN), ids, res, DELIVERY_SERIES, extra(body)), firstWanted, capped };
  }
  const links = body['links'];
  if (links !== null && links !== undefined && !Array.isArray(links)) {
    throw new TapError('API_RESPONSE_INVALID', `${path} returned "links" as ${typeof links}, not a list`, { stream: def.name });
  }
  const rows: Fetched['rows'] = [];
  for (const item of (links ?? []) as Row[]) {
    const link = (item['link'] ?? {}) as Row;
    const series = ((item['metric'] as Row | undefined)?.['series'] ?? {}) as Record<string, unknown>;
    const length = longest(series);
    const linkIds = { ...ids, link_id: link['id'] ?? null, href: link['href'] ?? null };
    rows.push(...bucketRows(series, (i) => addBuckets(current, res, i - (length - 1), US_EASTERN), linkIds, res, LINK_SERIES, {}));
  }
  return { rows, firstWanted, capped };
}

/** Columns a metrics body adds beside its series (newsletter metrics name their channel). */
function extra(body: Row): Row {
  const type = (body['metric'] as Row | undefined)?.['type'];
  return typeof type === 'string' ? { type } : {};
}

function seriesAt(body: Row, path: string[], def: StreamDef, endpoint: string): Record<string, unknown> {
  let value: unknown = body;
  for (const key of path) value = value && typeof value === 'object' ? (value as Row)[key] : undefined;
  if (value === null) return {};
  if (value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new TapError('API_RESPONSE_INVALID', `${endpoint} returned a body without ${path.join('.')}`, {
      hint: 'A proxy may be answering instead of Customer.io, or the API changed',
      stream: def.name,
    });
  }
  return value as Record<string, unknown>;
}

function longest(series: Record<string, unknown>): number {
  return Math.max(0, ...Object.values(series).map((v) => (Array.isArray(v) ? v.length : 0)));
}

function bucketRows(
  series: Record<string, unknown>,
  startOf: (index: number) => number,
  ids: Row,
  res: Resolution,
  known: readonly string[],
  extraColumns: Row,
): Array<{ start: number; record: Row }> {
  const length = longest(series);
  const rows: Array<{ start: number; record: Row }> = [];
  for (let i = 0; i < length; i++) {
    const start = startOf(i);
    const record: Row = { ...ids, resolution: res, period_start: isoSeconds(start), ...extraColumns };
    let other: Row | null = null;
    for (const name of known) record[name] = null;
    for (const [name, values] of Object.entries(series)) {
      const value = Array.isArray(values) ? (values[i] ?? null) : null;
      if (known.includes(name)) record[name] = value;
      else (other ??= {})[name] = value;
    }
    record['other_series'] = other;
    rows.push({ start, record });
  }
  return rows;
}
