import type { Scale } from './types.js';

/**
 * Collection sizes per scale. Messages and activities are rates: exactly `messagesPerYear`
 * messages are created in the 365 days up to the initial clock and exactly
 * `activitiesPer30Days` activities in the 30 days up to it; both keep arriving at that rate when
 * the clock advances.
 */
export interface ScaleSizes {
  campaigns: number;
  newsletters: number;
  segments: number;
  people: number;
  messagesPerYear: number;
  activitiesPer30Days: number;
  /** Future-dated activities at the head of the feed (bad client clocks). */
  futureActivities: number;
}

export const SCALES: Record<Scale, ScaleSizes> = {
  small: {
    campaigns: 8,
    newsletters: 30,
    segments: 6,
    people: 500,
    messagesPerYear: 3_000,
    activitiesPer30Days: 1_000,
    futureActivities: 3,
  },
  medium: {
    campaigns: 40,
    newsletters: 250,
    segments: 25,
    people: 5_000,
    messagesPerYear: 30_000,
    activitiesPer30Days: 10_000,
    futureActivities: 8,
  },
  large: {
    campaigns: 200,
    newsletters: 2_000,
    segments: 60,
    people: 200_000,
    messagesPerYear: 1_200_000,
    activitiesPer30Days: 50_000,
    futureActivities: 20,
  },
};

export const DAY = 86_400;
