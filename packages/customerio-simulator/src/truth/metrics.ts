import type { EntityIds, EntityKind } from '../metrics/leaves.js';
import * as metrics from '../metrics/truth.js';
import type { TruthContext } from './context.js';

/**
 * Metrics (all endpoints of customerio-api.md §6), computed by metrics/truth.ts. `kind` ∈
 * campaign | campaign_action | journey | newsletter | newsletter_variant | broadcast |
 * broadcast_action | transactional; `ids` are the path ids: [campaign], [campaign, action] (or
 * [campaign, action, language variant id] for one language), [campaign] for journeys,
 * [newsletter], [newsletter, content], [broadcast], [broadcast, action], [transactional]. Counts
 * are defined per UTC hour and only summed.
 */
export function metricsTruth({ world }: TruthContext) {
  return {
    /** The keys of `metric.series` (`journey_metric` for journeys). */
    metricSeriesNames(kind: EntityKind, ids: EntityIds): string[] {
      return metrics.seriesNames(world, kind, ids);
    },

    /** One series in one UTC hour. */
    hourlyCount(kind: EntityKind, ids: EntityIds, series: string, hourStartUnix: number): number {
      return metrics.hourlyCount(world, kind, ids, series, hourStartUnix);
    },

    /**
     * One series in the bucket of `res` (hours|days|weeks|months or the -ly forms) that holds
     * `bucketStartUnix` in `tz`: exactly the sum of the hours that start inside it. v1 buckets:
     * tz 'America/New_York'.
     */
    bucketCount(kind: EntityKind, ids: EntityIds, series: string, res: string, bucketStartUnix: number, tz = 'UTC'): number {
      return metrics.bucketCount(world, kind, ids, series, res, bucketStartUnix, tz);
    },

    /** Tracked links `{id, href}` in served order (`[]` where the API answers `links: null`). */
    metricLinks(kind: EntityKind, ids: EntityIds): { id: number; href: string }[] {
      return metrics.links(world, kind, ids);
    },

    /** One link series in one bucket. */
    linkBucketCount(
      kind: EntityKind,
      ids: EntityIds,
      linkId: number,
      series: metrics.LinkSeriesName,
      res: string,
      bucketStartUnix: number,
      tz = 'UTC',
      unique = false,
    ): number {
      return metrics.linkBucketCount(world, kind, ids, linkId, series, res, bucketStartUnix, tz, unique);
    },

    /** Bucket starts of a v1 request now (the last holds now). */
    v1BucketStarts(period: string, steps?: number): number[] {
      return metrics.v1BucketStarts(world, period, steps);
    },

    /** Bucket starts of a v2 or journey window. */
    v2BucketStarts(res: string, start: number, end: number, tz = 'UTC'): number[] {
      return metrics.v2BucketStarts(res, start, end, tz);
    },

    /** The `language_variants` keys of an action. */
    languageVariantIds(campaignId: number, actionId: number): number[] {
      return metrics.languageVariantIds(world, campaignId, actionId);
    },
  };
}

export type MetricsTruth = ReturnType<typeof metricsTruth>;
