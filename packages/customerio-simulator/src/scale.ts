/** The three workspace sizes. */
export type Scale = 'small' | 'medium' | 'large';

/**
 * Collection sizes per scale. Messages and activities are rates: `messagesPerYear` messages a
 * year and `activitiesPer30Days` activities per 30 days, before the initial clock and after it
 * when the clock advances. The history behind the clock is longer than any API window over it
 * (MESSAGE_HISTORY_DAYS, ACTIVITY_HISTORY_DAYS), so a reader that stops at a window misses data.
 */
export interface ScaleSizes extends ConfigSizes {
  campaigns: number;
  newsletters: number;
  segments: number;
  people: number;
  messagesPerYear: number;
  activitiesPer30Days: number;
  /** Future-dated activities at the head of the feed (bad client clocks). */
  futureActivities: number;
}

/** Sizes of the broadcast, transactional, object and workspace-configuration collections. */
export interface ConfigSizes {
  /** Each broadcast has 1..12 actions and 0..5 triggers. */
  broadcasts: number;
  transactional: number;
  /** Every third one is hidden. */
  senderIdentities: number;
  snippets: number;
  collections: number;
  reportingWebhooks: number;
  objectTypes: number;
  /** Around this many per type (types differ: ×0.3 to ×1.4). */
  objectsPerType: number;
  topics: number;
  channels: number;
  /** At most this many; the seed picks 0..max, so some workspaces have none (`exports: null`). */
  maxExports: number;
  /** The bounces list; the other three are shares of it, and one list (by seed) is empty. */
  suppressionsPerType: number;
}

const CONFIG_SIZES: Record<Scale, ConfigSizes> = {
  small: {
    broadcasts: 4,
    transactional: 5,
    senderIdentities: 6,
    snippets: 5,
    collections: 3,
    reportingWebhooks: 3,
    objectTypes: 2,
    objectsPerType: 40,
    topics: 3,
    channels: 4,
    maxExports: 3,
    suppressionsPerType: 30,
  },
  medium: {
    broadcasts: 15,
    transactional: 20,
    senderIdentities: 20,
    snippets: 20,
    collections: 8,
    reportingWebhooks: 6,
    objectTypes: 3,
    objectsPerType: 400,
    topics: 6,
    channels: 6,
    maxExports: 4,
    suppressionsPerType: 300,
  },
  large: {
    broadcasts: 60,
    transactional: 80,
    senderIdentities: 80,
    snippets: 60,
    collections: 20,
    reportingWebhooks: 10,
    objectTypes: 5,
    objectsPerType: 5_000,
    topics: 10,
    channels: 8,
    maxExports: 5,
    suppressionsPerType: 3_000,
  },
};

export const SCALES: Record<Scale, ScaleSizes> = {
  small: {
    campaigns: 8,
    newsletters: 30,
    segments: 6,
    people: 500,
    messagesPerYear: 3_000,
    activitiesPer30Days: 1_000,
    futureActivities: 3,
    ...CONFIG_SIZES.small,
  },
  medium: {
    campaigns: 40,
    newsletters: 250,
    segments: 25,
    people: 5_000,
    messagesPerYear: 30_000,
    activitiesPer30Days: 10_000,
    futureActivities: 8,
    ...CONFIG_SIZES.medium,
  },
  large: {
    campaigns: 200,
    newsletters: 2_000,
    segments: 60,
    people: 200_000,
    messagesPerYear: 1_200_000,
    activitiesPer30Days: 50_000,
    futureActivities: 20,
    ...CONFIG_SIZES.large,
  },
};

export const DAY = 86_400;

/**
 * Days of deliveries behind the initial clock: 18 months, three times the 6-month window one
 * /v1/messages request may cover, so reading "the latest 6 months" or one window is not enough.
 */
export const MESSAGE_HISTORY_DAYS = 548;

/**
 * Days of activities generated behind the initial clock. The feed serves only the retained
 * part of it (30 days guaranteed plus a short tail, data/activities.ts); generating more keeps
 * that tail, and what drops out as the clock moves, real records rather than an edge of the data.
 */
export const ACTIVITY_HISTORY_DAYS = 90;

/**
 * Age of the oldest campaign, newsletter, broadcast and transactional message: longer than the
 * longest v1 metrics window (121 months, about 10 years and a month) and the 10-year cap on a v2
 * window, so even a maximal metrics request does not reach the start of their history.
 */
export const LEGACY_AGE_DAYS = 11 * 365;

/** Messages in the generated history at the initial clock: the yearly rate over MESSAGE_HISTORY_DAYS. */
export function messagesAtOrigin(perYear: number): number {
  return Math.round((perYear * MESSAGE_HISTORY_DAYS) / 365);
}
