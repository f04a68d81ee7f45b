/**
 * Series names and which of them each channel reports. Names are the 26 of the current spec
 * (customerio-api.md §6) plus S4's `prefetch_clicked`, which a few entities carry so that a client
 * has to keep series it does not know. Arrays of names are alphabetical: that is the key order of
 * `metric.series` in every response.
 */
export const MESSAGE_SERIES = [
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
  'prefetch_clicked',
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

export type MessageSeriesName = (typeof MESSAGE_SERIES)[number];

/** Journey metrics (§6), in the documented key order. */
export const JOURNEY_SERIES = ['started', 'activated', 'exited_early', 'finished', 'converted', 'never_activated', 'messaged'] as const;

export type JourneySeriesName = (typeof JOURNEY_SERIES)[number];

/** Index of each message series name in MESSAGE_SERIES (the slot in an hour vector). */
export const M = Object.fromEntries(MESSAGE_SERIES.map((n, i) => [n, i])) as Record<MessageSeriesName, number>;

/** Index of each journey series name in JOURNEY_SERIES. */
export const J = Object.fromEntries(JOURNEY_SERIES.map((n, i) => [n, i])) as Record<JourneySeriesName, number>;

/**
 * What each channel reports. Email has the full funnel; SMS (twilio) adds replies and loses opens;
 * webhooks only know whether the request went out. Channels with clicks always carry all three
 * click series, because link metrics split human and machine clicks per link.
 */
const BY_CHANNEL: Readonly<Record<string, readonly MessageSeriesName[]>> = {
  email: [
    'attempted',
    'bounced',
    'clicked',
    'converted',
    'delivered',
    'failed',
    'human_clicked',
    'human_opened',
    'machine_clicked',
    'opened',
    'prefetch_opened',
    'sent',
    'spammed',
    'suppressed',
    'topic_unsubscribed',
    'undeliverable',
    'unsubscribed',
  ],
  push: ['attempted', 'converted', 'delivered', 'failed', 'opened', 'sent', 'undeliverable'],
  twilio: ['attempted', 'clicked', 'converted', 'delivered', 'failed', 'human_clicked', 'machine_clicked', 'replied', 'sent', 'undeliverable', 'unsubscribed'],
  in_app: ['attempted', 'clicked', 'converted', 'human_clicked', 'machine_clicked', 'opened', 'sent'],
  webhook: ['attempted', 'failed', 'sent'],
};

const OTHER_CHANNEL: readonly MessageSeriesName[] = ['attempted', 'delivered', 'failed', 'sent'];

/** Channels whose messages can carry tracked links. */
export const LINK_CHANNELS: ReadonlySet<string> = new Set(['email', 'twilio', 'in_app']);

/** Slots (ascending) a leaf of this channel reports; `prefetchClicked` adds the S4-only series. */
export function channelSeries(channel: string, prefetchClicked: boolean): number[] {
  const names = BY_CHANNEL[channel] ?? OTHER_CHANNEL;
  const slots = names.map((n) => M[n]);
  if (prefetchClicked && names.includes('machine_clicked')) slots.push(M.prefetch_clicked);
  return slots.sort((a, b) => a - b);
}

/** Slots of every journey series. */
export const JOURNEY_SLOTS: readonly number[] = JOURNEY_SERIES.map((_, i) => i);
