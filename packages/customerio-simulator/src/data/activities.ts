import { Draw, hash32 } from '../random.js';
import { ACTIVITY_HISTORY_DAYS, DAY } from '../scale.js';
import { Entity } from '../tags.js';
import { ulid } from './ids.js';
import type { Messages } from './messages.js';
import type { People } from './people.js';
import { EVENT_NAMES, PAGES, PLANS, SCREENS } from './text.js';
import { Timeline } from './timeline.js';
import type { ActivityRecord } from './activity-record.js';

// The record type lives apart so data/people-changes.ts can use it without an import cycle.
export type { ActivityRecord } from './activity-record.js';

/** The API guarantees 30 days of activities (§5.3, §7.6); nothing newer is ever cut. */
export const ACTIVITY_GUARANTEE = 30 * DAY;

/**
 * The oldest timestamp the feed serves at `now`. The docs say 30 days are *guaranteed*, not that
 * older activities vanish at exactly 30 days. The simulator reads that as a daily prune with some
 * grace, an ASSUMPTION (no source says how retention is enforced): everything from `graceHours`
 * before the UTC day that holds now − 30 days is still served, graceHours ∈ [1, 48] by seed. The
 * feed so reaches 1 to 72 hours past 30 days, and a client that assumes it ends at exactly 30
 * days (to stop, or to filter) is wrong either way.
 */
export function retentionCutoff(seed: number, now: number): number {
  const guaranteed = now - ACTIVITY_GUARANTEE;
  const graceHours = 1 + (hash32(seed, Entity.retention, 0) % 48);
  return guaranteed - (((guaranteed % DAY) + DAY) % DAY) - graceHours * 3600;
}

const TYPES: readonly (readonly [string, number])[] = [
  ['sent_email', 20],
  ['delivered_email', 15],
  ['opened_email', 12],
  ['clicked_email', 5],
  ['bounced_email', 1],
  ['attribute_change', 12],
  ['event', 15],
  ['page', 10],
  ['screen', 6],
  ['profile_create', 3],
  ['profile_merge', 1],
];

/**
 * The activity feed: an append-only timeline of ordinary activities (ACTIVITY_HISTORY_DAYS of
 * them behind the initial clock, of which only the retained part is served) plus a handful of
 * future-dated ones (a device with a wrong clock) that sort to the head of the newest-first feed.
 * Future-dated activities were recorded shortly before the initial clock and fall out of the
 * feed with the activities recorded at the same time (retentionCutoff).
 */
export class Activities {
  readonly timeline: Timeline;

  constructor(
    private readonly seed: number,
    perThirtyDays: number,
    private readonly origin: number,
    readonly futureCount: number,
    private readonly people: People,
    private readonly messages: Messages,
  ) {
    const days = ACTIVITY_HISTORY_DAYS;
    this.timeline = new Timeline(seed, Entity.activity, origin, days * DAY, Math.round((perThirtyDays * days) / 30));
  }

  /** The oldest timestamp the feed serves at `now` (see retentionCutoff). */
  cutoff(now: number): number {
    return retentionCutoff(this.seed, now);
  }

  /** Index range [lo, hi] of ordinary activities inside retention at `now` (empty when hi < lo). */
  visibleRange(now: number): { lo: number; hi: number } {
    return {
      lo: this.timeline.firstAtOrAfter(this.cutoff(now)),
      hi: this.timeline.lastAtOrBefore(now),
    };
  }

  /** Future-dated activity i is recorded at origin − (i + 1)·5 h; i = 0 carries the latest timestamp. */
  futureVisible(i: number, now: number): boolean {
    const recorded = this.origin - (i + 1) * 5 * 3600;
    return recorded <= now && recorded >= this.cutoff(now);
  }

  future(i: number): ActivityRecord {
    const draw = new Draw(this.seed, Entity.futureActivity, i);
    const timestamp = this.origin + (60 + 10 * (this.futureCount - i)) * DAY + draw.int(DAY);
    const p = draw.int(this.people.count);
    const who = this.people.identity(p);
    return {
      id: ulid(timestamp * 1000, this.seed, Entity.futureActivity, i),
      type: 'event',
      timestamp,
      customer_id: who.id,
      customer_identifiers: { cio_id: who.cio_id, email: who.email, id: who.id },
      data: { source: 'mobile', clock_skew: true },
      name: 'app_opened',
    };
  }

  record(k: number): ActivityRecord {
    const draw = new Draw(this.seed, Entity.activity, k);
    const timestamp = this.timeline.at(k);
    let type = draw.weighted(TYPES);
    const id = ulid(timestamp * 1000 + (k % 1000), this.seed, Entity.activity, k);
    const delivery = type.endsWith('_email') ? this.messages.timeline.lastAtOrBefore(timestamp) : -1;
    if (type.endsWith('_email') && delivery < 0) type = 'event';
    const p = delivery >= 0 ? this.messages.personIndex(delivery) : draw.int(this.people.count);
    const who = this.people.identity(p);
    const base = {
      id,
      type,
      timestamp,
      customer_id: who.id,
      customer_identifiers: { cio_id: who.cio_id, email: who.email, id: who.id },
    };
    if (delivery >= 0) {
      const deliveryIdValue = this.messages.id(delivery);
      const opened = type === 'opened_email' || type === 'clicked_email';
      return {
        ...base,
        delivery_id: deliveryIdValue,
        delivery_type: 'email',
        data: {
          delivery_id: deliveryIdValue,
          delivered: type === 'sent_email' || type === 'bounced_email' ? null : timestamp - draw.range(1, 600),
          opened: opened ? true : null,
        },
      };
    }
    switch (type) {
      case 'attribute_change': {
        const from = draw.pick(PLANS);
        const to = draw.pick(PLANS.filter((x) => x !== from));
        return { ...base, data: { plan: { from, to } } };
      }
      case 'page':
        return { ...base, data: { referrer: 'https://search.example.com' }, url: `https://www.example.com${draw.pick(PAGES)}` };
      case 'screen':
        return { ...base, data: {}, name: draw.pick(SCREENS) };
      case 'event': {
        const name = draw.pick(EVENT_NAMES);
        return { ...base, data: { value: String(draw.range(1, 500)) }, name };
      }
      default:
        return { ...base, data: {} };
    }
  }
}
