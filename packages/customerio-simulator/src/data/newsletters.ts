import { Draw } from '../random.js';
import { DAY, LEGACY_AGE_DAYS } from '../scale.js';
import { Entity, ScheduleTag } from '../tags.js';
import { TAGS, TOPICS } from './text.js';
import { latestUpdate } from './schedule.js';

export interface NewsletterRecord {
  id: number;
  deduplicate_id: string;
  type: string;
  content_ids: number[];
  name: string;
  sent_at: number | null;
  created: number;
  updated: number;
  recipient_segment_ids: number[] | null;
  tags: string[] | null;
  subscription_topic_id: number | null;
}

const TYPES: readonly (readonly [string, number])[] = [
  ['email', 7],
  ['push', 1],
  ['twilio', 1],
  ['in_app', 1],
];
const FIRST_ID = 1000;
const ID_STEP = 3;

/**
 * Newsletters are created in id order over the two years before the initial clock, except #0:
 * a newsletter sent LEGACY_AGE_DAYS ago, older than the longest metrics window.
 */
export class Newsletters {
  private readonly firstCreated: number;
  private readonly spacing: number;

  constructor(
    private readonly seed: number,
    readonly count: number,
    private readonly origin: number,
    private readonly segmentIds: readonly number[],
  ) {
    this.firstCreated = origin - 730 * DAY;
    this.spacing = Math.max(2, Math.floor((729 * DAY) / Math.max(1, count)));
  }

  idOf(k: number): number {
    return FIRST_ID + k * ID_STEP;
  }

  indexOfId(id: number): number {
    if (!Number.isInteger(id) || id < FIRST_ID || (id - FIRST_ID) % ID_STEP !== 0) return -1;
    const k = (id - FIRST_ID) / ID_STEP;
    return k < this.count ? k : -1;
  }

  created(k: number): number {
    const slot = k === 0 ? this.origin - LEGACY_AGE_DAYS * DAY : this.firstCreated + k * this.spacing;
    return slot + 1 + new Draw(this.seed, Entity.newsletter, k, 2).int(this.spacing - 1);
  }

  type(k: number): string {
    return new Draw(this.seed, Entity.newsletter, k, 1).weighted(TYPES);
  }

  /** Variant (content) ids of newsletter #k: 1 to 3 per newsletter, A/B tests included. */
  contentIdsAt(k: number): number[] {
    const n = 1 + new Draw(this.seed, Entity.newsletter, k, 3).int(3);
    return Array.from({ length: n }, (_, i) => k * 4 + i + 1);
  }

  /** Variant (content) ids by newsletter id; throws for an unknown id. */
  contentIds(newsletterId: number): number[] {
    const k = this.indexOfId(newsletterId);
    if (k < 0) throw new RangeError(`no newsletter with id ${newsletterId}`);
    return this.contentIdsAt(k);
  }

  record(k: number, now: number): NewsletterRecord {
    const id = this.idOf(k);
    const draw = new Draw(this.seed, Entity.newsletter, k);
    const created = this.created(k);
    // The legacy newsletter (#0) was sent: its metrics are the history past the window.
    const draft = draw.chance(0.15) && k !== 0;
    const update = latestUpdate(this.seed, ScheduleTag.newsletter, k, created, now, {
      staticShare: draft ? 0.2 : 0.6,
      minPeriod: DAY,
      maxPeriod: 90 * DAY,
    });
    // Created at least a day before the initial clock, so a send within 20 h is in the past.
    const sentAt = draft ? null : created + draw.range(600, 20 * 3600);
    const updated = Math.max(update.at, sentAt ?? 0);
    const segmentCount = draw.int(3);
    const tagCount = draw.int(2);
    return {
      id,
      deduplicate_id: `${id}:${updated}`,
      type: this.type(k),
      content_ids: this.contentIdsAt(k),
      name: `${draw.pick(TOPICS)} newsletter #${k + 1}`,
      sent_at: sentAt,
      created,
      updated,
      recipient_segment_ids: segmentCount === 0 || this.segmentIds.length === 0 ? null : draw.sample(this.segmentIds, segmentCount),
      tags: tagCount === 0 ? null : [draw.pick(TAGS)],
      subscription_topic_id: draw.chance(0.4) ? draw.range(1, 5) : null,
    };
  }
}
