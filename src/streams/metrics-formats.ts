import { TapError } from '../errors.js';
import { addBuckets, bucketsBetween, bucketStart, type Resolution } from '../engine/buckets.js';
import type { MetricsFormat, MetricsRequest, Row, SeriesTable } from '../engine/stream.js';

/**
 * The four shapes of Customer.io's metrics endpoints (customerio-api.md §6), as values the
 * engine's bucket reader runs: which requests cover a range, and how an answer becomes series
 * tables whose index i is one time bucket.
 */

/** The 26 series the current spec lists; anything else is kept in `other_series`. */
export const DELIVERY_SERIES = [
  'attempted',
  'bounced',
  'clicked',
  'converted',
  'created',
  'deferred',
  'delivered',
  'drafted',
  'failed',
  'human_clicked',
  'human_opened',
  'link_untracked',
  'machine_clicked',
  'open_untracked',
  'opened',
  'prefetch_opened',
  'replied',
  'sent',
  'spammed',
  'suppressed',
  'topic_unsubscribed',
  'tracking_consent_denied',
  'tracking_consent_granted',
  'undeliverable',
  'unsubscribed',
  'untracked',
] as const;
export const JOURNEY_SERIES = ['started', 'activated', 'exited_early', 'finished', 'converted', 'never_activated', 'messaged'] as const;
export const LINK_SERIES = ['clicked', 'human_clicked', 'machine_clicked'] as const;

/** v1 buckets start at midnight in New York (weeks on Sunday, months on the 1st). */
export const US_EASTERN = 'America/New_York';

/** v1 `steps` maxima per period (the spec's figures; months is 121). */
const V1_MAX_STEPS: Record<Resolution, number> = { hours: 24, days: 45, weeks: 12, months: 121 };

/**
 * Buckets per request of the start/end endpoints: `end` is at most 10 years after `start`
 * (campaignMetrics), so each span stays under 3,650 days (hours: 87,600; weeks: 521; months: 119).
 */
const MAX_SPAN_BUCKETS: Record<Resolution, number> = { hours: 3_650 * 24, days: 3_650, weeks: 521, months: 119 };

/** start/end endpoints (version=2 and journeys): UTC buckets from the window start the API echoes. */
function startEndFormat(
  label: string,
  series: readonly string[],
  query: (start: number, end: number, res: Resolution) => MetricsRequest['query'],
  at: string[],
): MetricsFormat {
  return {
    label,
    bucketOf: (unix, res) => bucketStart(unix, res, 'UTC'),
    series,
    requests(from, to, res) {
      const firstWanted = bucketStart(from, res, 'UTC');
      const requests: MetricsRequest[] = [];
      // A longer range is asked in spans of whole buckets that each stay under ten years, so
      // no bucket is asked twice.
      for (let start = firstWanted; start <= to;) {
        const next = addBuckets(start, res, MAX_SPAN_BUCKETS[res], 'UTC');
        const end = Math.min(to, next - 1);
        requests.push({ query: query(start, end, res), start, until: end });
        start = next;
      }
      return { requests, firstWanted };
    },
    parse(body, res, serverTime, request, where) {
      const echoed = typeof body['start'] === 'string' ? Date.parse(body['start']) : Number.NaN;
      const first = Number.isNaN(echoed) ? request.start : Math.floor(echoed / 1000);
      // Buckets after the server's own now hold nothing yet: they are read when they exist.
      const last = serverTime === undefined ? request.until : Math.min(request.until, serverTime);
      return [{ series: seriesAt(body, at, where), startOf: (i) => addBuckets(first, res, i, 'UTC'), last, extra: channel(body) }];
    },
  };
}

/** period/steps endpoints: the last bucket is the server's current period, in US Eastern time. */
function periodStepsFormat(
  label: string,
  series: readonly string[],
  tables: (body: Row, where: Where) => Array<{ series: Record<string, unknown>; ids?: Row; extra?: Row }>,
): MetricsFormat {
  return {
    label,
    bucketOf: (unix, res) => bucketStart(unix, res, US_EASTERN),
    series,
    requests(from, to, res) {
      const wanted = bucketsBetween(from, to, res, US_EASTERN);
      const steps = Math.max(2, Math.min(wanted, V1_MAX_STEPS[res]));
      const capped = wanted > V1_MAX_STEPS[res];
      return {
        requests: [{ query: { period: res, steps }, start: from, until: to }],
        firstWanted: bucketStart(from, res, US_EASTERN),
        ...(capped ? { limitNote: `the API serves at most ${V1_MAX_STEPS[res]} ${res} of history; older buckets were not available` } : {}),
      };
    },
    parse(body, res, serverTime, request, where) {
      // The last bucket is the server's current period: its clock, not ours, decides which that is.
      const current = bucketStart(serverTime ?? request.until, res, US_EASTERN);
      return tables(body, where).map((table) => {
        const length = longest(table.series);
        return { ...table, startOf: (i: number) => addBuckets(current, res, i - (length - 1), US_EASTERN) };
      });
    },
  };
}

/** version=2 campaign and campaign-action metrics. */
export const V2_METRICS = startEndFormat('version=2', DELIVERY_SERIES, (start, end, res) => ({ version: 2, res, start, end, tz: 'UTC' }), ['metric', 'series']);

/** Campaign journey metrics: start/end/resolution, series under journey_metric. */
export const JOURNEY_METRICS = startEndFormat('start/end', JOURNEY_SERIES, (start, end, res) => ({ start, end, resolution: res }), ['journey_metric']);

/** v1 period/steps metrics of newsletters, broadcasts and transactional messages. */
export const V1_METRICS = periodStepsFormat('period/steps', DELIVERY_SERIES, (body, where) => [
  { series: seriesAt(body, ['metric', 'series'], where), extra: channel(body) },
]);

/** v1 link metrics: one series table per tracked link under links[]. */
export const V1_LINK_METRICS = periodStepsFormat('period/steps', LINK_SERIES, (body, where) => {
  const links = body['links'];
  if (links !== null && links !== undefined && !Array.isArray(links)) {
    throw new TapError('API_RESPONSE_INVALID', `${where.path} returned "links" as ${typeof links}, not a list`, { stream: where.stream });
  }
  return ((links ?? []) as Row[]).map((item) => {
    const link = (item['link'] ?? {}) as Row;
    const series = ((item['metric'] as Row | undefined)?.['series'] ?? {}) as Record<string, unknown>;
    return { series, ids: { link_id: link['id'] ?? null, href: link['href'] ?? null } };
  });
});

interface Where {
  stream: string;
  path: string;
}

/** Columns a metrics body adds beside its series (newsletter metrics name their channel). */
function channel(body: Row): Row {
  const type = (body['metric'] as Row | undefined)?.['type'];
  return typeof type === 'string' ? { type } : {};
}

function seriesAt(body: Row, path: string[], where: Where): Record<string, unknown> {
  let value: unknown = body;
  for (const key of path) value = value && typeof value === 'object' ? (value as Row)[key] : undefined;
  if (value === null) return {};
  if (value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new TapError('API_RESPONSE_INVALID', `${where.path} returned a body without ${path.join('.')}`, {
      hint: 'A proxy may be answering instead of Customer.io, or the API changed',
      stream: where.stream,
    });
  }
  return value as Record<string, unknown>;
}

function longest(series: Record<string, unknown>): number {
  return Math.max(0, ...Object.values(series).map((v) => (Array.isArray(v) ? v.length : 0)));
}

export type { SeriesTable };
