import { hash32 } from '../random.js';
import { MetricsTag } from '../tags.js';
import type { LinkDef } from './links.js';
import { J, M } from './series.js';

export const HOUR = 3600;
export const WEEK = 7 * 86_400;
/** How long one send keeps going (throttled recipients, retries). */
export const BURST = 48 * HOUR;

/**
 * The unit that produces counts: one campaign action in one language, one newsletter variant,
 * one broadcast action, one transactional message, or one campaign's journeys. Entities the API
 * reports on are sums of leaves (a campaign = all its actions in all languages).
 */
export interface Leaf {
  /** Separates this leaf's random stream from every other leaf's. */
  salt: number;
  model: 'message' | 'journey';
  /** Action / newsletter type: email, push, twilio, in_app, webhook, … ('journey' for journeys). */
  channel: string;
  /** Slots of the model's names this leaf reports, ascending. */
  series: readonly number[];
  /** First hour start (a multiple of 3600) that can count: the first whole hour after creation. */
  from: number;
  /** Hour starts at or after this stay 0 (a stopped campaign, a finished send); Infinity if open. */
  until: number;
  /**
   * Unset: a steady sender around the clock (campaign actions, journeys, transactional).
   * Set: one-off sends starting at these hour starts (a newsletter's send, each broadcast
   * trigger), each decaying over 48 hours.
   */
  bursts?: readonly number[];
  /** Mean volume (attempted, or started for journeys) per hour at full strength. */
  rate: number;
  /** Whether the channel reports `delivered` (in-app does not: engagement counts from `sent`). */
  hasDelivered: boolean;
  /** Funnel rates of this leaf. */
  open: number;
  click: number;
  convert: number;
  /** Tracked links; an action's language variants share the action's list. */
  links: readonly LinkDef[];
  /** Set on a campaign action's language variant: its variant action id. */
  variantId?: number;
}

// Volume by UTC hour of day: quiet nights, a morning and an early-evening peak.
const DIURNAL = [0.3, 0.25, 0.2, 0.2, 0.25, 0.35, 0.6, 0.9, 1.2, 1.4, 1.5, 1.5, 1.4, 1.4, 1.5, 1.6, 1.6, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5, 0.4];

/** mulberry32: a few cheap draws per hour once hash32 has seeded it. */
class HourRng {
  constructor(private s: number) {}

  float(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  }

  /** Stochastic rounding: E[result] = x. */
  round(x: number): number {
    return Math.floor(x + this.float());
  }

  /**
   * About n·p of n (between half and one and a half times that), never more than n. One draw:
   * its fraction scaled by 1024 serves as the rounding dither (hot path: ~15 calls an hour).
   */
  part(n: number, p: number): number {
    if (n === 0) return 0;
    const u = this.float();
    const x = n * p * (0.5 + u) + ((u * 1024) % 1);
    return x >= n ? n : Math.floor(x);
  }
}

/** How strongly a leaf sends in the hour starting at h (0 = not at all). */
function strength(leaf: Leaf, h: number): number {
  if (leaf.bursts !== undefined) {
    // Most of a send goes out in its first hours (half-life 6 h); the tail is throttled recipients.
    let s = 0;
    for (const b of leaf.bursts) if (h >= b && h < b + BURST) s += Math.pow(0.5, (h - b) / (6 * HOUR));
    return s;
  }
  const weekday = (Math.floor(h / 86_400) + 4) % 7; // 1970-01-01 was a Thursday (4)
  return (DIURNAL[Math.floor(h / HOUR) % 24] ?? 1) * (weekday === 0 || weekday === 6 ? 0.6 : 1);
}

/**
 * The cohort view: an hour's messages (or journeys) are credited to the hour even when their
 * outcomes come later, so what the clock shows of an hour keeps growing for a while after it.
 * Each unit of the hour (one attempted message, one started journey) gets a fixed arrival
 * fraction a_u ∈ [0, 1) from the seed and is visible once age/horizon ≥ a_u. Every series is a
 * RANGE of unit indices (delivered = [0, delivered), bounced = [delivered, delivered + bounced),
 * …), so visible counts keep every ⊂ of the funnel at every clock, partitions add up exactly,
 * and each count only ever grows — expected value final·min(1, age/horizon).
 */
class Visible {
  private readonly prefix: Int32Array | null;

  /** `fraction` ≥ 1: everything is visible and no unit is hashed (all hours older than a week). */
  constructor(seed: number, hourKey: number, units: number, fraction: number) {
    if (fraction >= 1) {
      this.prefix = null;
      return;
    }
    const prefix = new Int32Array(units + 1);
    for (let u = 0; u < units; u++) {
      const arrived = hash32(seed, MetricsTag.arrival, u, hourKey) / 0x100000000 < fraction;
      prefix[u + 1] = (prefix[u] ?? 0) + (arrived ? 1 : 0);
    }
    this.prefix = prefix;
  }

  /** Visible units among indices [lo, hi). */
  count(lo: number, hi: number): number {
    if (this.prefix === null) return hi - lo;
    return (this.prefix[hi] ?? 0) - (this.prefix[lo] ?? 0);
  }
}

/**
 * Fills `out` (one slot per MESSAGE_SERIES name) with the counts of the hour starting at `h` as
 * seen at clock `now`; returns false when every count is 0 (then `out` is left stale).
 *
 * Final counts come from (seed, leaf, hour) alone, so any window or resolution sums the same
 * numbers. They are a funnel over the hour's attempted messages, laid out as index ranges:
 * [0, sent) sent ⊃ [0, delivered) delivered ⊃ [0, opened) opened ⊃ [0, human_opened), then
 * bounced, undeliverable after delivered; failed, suppressed after sent. Hence delivered ≤ sent ≤
 * attempted, human_opened ≤ opened ≤ delivered, clicked = human_clicked + machine_clicked,
 * opened = human_opened + prefetch_opened, prefetch_clicked ≤ machine_clicked, … at every clock;
 * the counts grow over the 7 days after the hour (Visible).
 */
function fillMessageHour(seed: number, leaf: Leaf, { age, hourKey, rng, units: attempted }: HourDraw, out: Float64Array): void {
  const suppressed = rng.part(attempted, 0.01);
  const failed = rng.part(attempted - suppressed, 0.02);
  const sent = attempted - suppressed - failed;
  const bounced = rng.part(sent, 0.02);
  const undeliverable = rng.part(sent - bounced, 0.01);
  const delivered = sent - bounced - undeliverable;
  // Channels without delivery receipts (in-app) engage from what was sent.
  const reached = leaf.hasDelivered ? delivered : sent;
  const opened = rng.part(reached, leaf.open);
  const humanOpened = rng.part(opened, 0.75);
  // No tracked links, no clicks: link metrics must add up to the entity's click series.
  const clicked = leaf.links.length === 0 ? 0 : rng.part(reached, leaf.click);
  const humanClicked = rng.part(clicked, 0.8);
  const prefetchClicked = rng.part(clicked - humanClicked, 0.5);
  const converted = rng.part(reached, leaf.convert);
  const unsubscribed = rng.part(delivered, 0.005);
  const topicUnsubscribed = rng.part(unsubscribed, 0.5);
  const spammed = rng.part(delivered, 0.002);
  const replied = rng.part(delivered, 0.03);

  const v = new Visible(seed, hourKey, attempted, age / WEEK);
  out[M.attempted] = v.count(0, attempted);
  out[M.sent] = v.count(0, sent);
  out[M.delivered] = v.count(0, delivered);
  out[M.bounced] = v.count(delivered, delivered + bounced);
  out[M.undeliverable] = v.count(delivered + bounced, sent);
  out[M.failed] = v.count(sent, sent + failed);
  out[M.suppressed] = v.count(sent + failed, attempted);
  out[M.opened] = v.count(0, opened);
  out[M.human_opened] = v.count(0, humanOpened);
  out[M.prefetch_opened] = v.count(humanOpened, opened);
  out[M.clicked] = v.count(0, clicked);
  out[M.human_clicked] = v.count(0, humanClicked);
  out[M.machine_clicked] = v.count(humanClicked, clicked);
  out[M.prefetch_clicked] = v.count(humanClicked, humanClicked + prefetchClicked);
  out[M.converted] = v.count(0, converted);
  out[M.unsubscribed] = v.count(0, unsubscribed);
  out[M.topic_unsubscribed] = v.count(0, topicUnsubscribed);
  out[M.spammed] = v.count(0, spammed);
  out[M.replied] = v.count(0, replied);
}

/**
 * Journey counts of the hour starting at `h` (cohort semantics, §6: journeys that STARTED in the
 * hour and later reached the metric). Units are the hour's started journeys: [0, activated)
 * activated, [activated, started) never activated, [0, exited) exited early, [exited, exited +
 * finished) finished, messaged and converted prefixes of activated. A journey's start shows
 * within the hour, its outcomes over 7 days, on the same arrival fraction: so started ≥
 * activated + never_activated, activated ≥ exited_early + finished, activated ≥ messaged,
 * activated ≥ converted at every clock, with equality of the first once a week has passed.
 */
function fillJourneyHour(seed: number, leaf: Leaf, { age, hourKey, rng, units: started }: HourDraw, out: Float64Array): void {
  const activated = rng.part(started, 0.85);
  const exited = rng.part(activated, 0.1);
  const finished = rng.part(activated - exited, 0.7);
  const messaged = rng.part(activated, 0.9);
  const converted = rng.part(activated, leaf.convert);
  const starts = new Visible(seed, hourKey, started, age / HOUR);
  const v = new Visible(seed, hourKey, started, age / WEEK);
  out[J.started] = starts.count(0, started);
  out[J.activated] = v.count(0, activated);
  out[J.never_activated] = v.count(activated, started);
  out[J.exited_early] = v.count(0, exited);
  out[J.finished] = v.count(exited, exited + finished);
  out[J.messaged] = v.count(0, messaged);
  out[J.converted] = v.count(0, converted);
}

interface HourDraw {
  age: number; // seconds since the hour began
  hourKey: number;
  rng: HourRng; // already past the draw of `units`
  units: number; // attempted messages, or started journeys
}

/** How many units the hour starting at `h` has, and the generator that splits them; undefined for none. */
function drawHour(seed: number, leaf: Leaf, h: number, now: number): HourDraw | undefined {
  const age = now - h;
  if (age <= 0 || h < leaf.from || h >= leaf.until) return undefined;
  const s = strength(leaf, h);
  if (s === 0) return undefined;
  const hourKey = hash32(seed, MetricsTag.hour, h / HOUR, leaf.salt);
  const rng = new HourRng(hourKey);
  const units = rng.round(leaf.rate * s * (0.5 + rng.float()));
  return units === 0 ? undefined : { age, hourKey, rng, units };
}

/** Fills `out` with the counts of the hour starting at `h`, seen at `now`; false when it has none. */
export function fillHour(seed: number, leaf: Leaf, h: number, now: number, out: Float64Array): boolean {
  const draw = drawHour(seed, leaf, h, now);
  if (!draw) return false;
  if (leaf.model === 'journey') fillJourneyHour(seed, leaf, draw, out);
  else fillMessageHour(seed, leaf, draw, out);
  return true;
}
