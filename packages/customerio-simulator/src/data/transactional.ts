import { Draw } from '../random.js';
import { DAY, LEGACY_AGE_DAYS } from '../scale.js';
import { Tag } from '../tags.js';
import { updatedAt } from './schedule.js';
import { roundName } from './text.js';

/**
 * A GET /v1/transactional item, the spec's key list (§5.8). S3's fixture adds `trigger_name`;
 * the spec's list item has none, so it is left out.
 */
export interface TransactionalRecord {
  id: number;
  name: string;
  description: string;
  send_to_unsubscribed: boolean;
  link_tracking: boolean;
  open_tracking: boolean;
  hide_message_body: boolean;
  queue_drafts: boolean;
  created_at: number;
  updated_at: number;
}

const NAMES = [
  'Password reset',
  'Receipt',
  'Email confirmation',
  'Magic link',
  'Order shipped',
  'Invoice',
  'Two-factor code',
  'Account locked',
  'Plan changed',
  'Invitation',
] as const;

/**
 * Transactional messages have ids 1..n: the deliveries in data/messages.ts already point at
 * transactional_message_id 1..3, so those exist at every scale.
 */
export class Transactional {
  constructor(
    private readonly seed: number,
    readonly count: number,
    private readonly origin: number,
  ) {}

  ids(): number[] {
    return Array.from({ length: this.count }, (_, k) => k + 1);
  }

  indexOfId(id: number): number {
    return Number.isInteger(id) && id >= 1 && id <= this.count ? id - 1 : -1;
  }

  record(k: number, now: number): TransactionalRecord {
    const draw = new Draw(this.seed, Tag.transactional, k);
    // #0 is the oldest template (LEGACY_AGE_DAYS): its metrics reach past the longest v1 window.
    const slot = k === 0 ? this.origin - LEGACY_AGE_DAYS * DAY : this.origin - 900 * DAY + Math.floor((k * 880 * DAY) / Math.max(1, this.count));
    const created = slot + draw.int(DAY);
    const updated = updatedAt(this.seed, Tag.transactional, k, created, now, {
      staticShare: 0.35,
      minPeriod: DAY,
      maxPeriod: 45 * DAY,
    });
    const base = NAMES[k % NAMES.length] ?? 'Notice';
    // Security mail must reach people who unsubscribed from marketing; receipts need not.
    const critical = k % NAMES.length === 0 || k % NAMES.length === 6 || k % NAMES.length === 7;
    return {
      id: k + 1,
      name: roundName(base, k, NAMES.length),
      description: draw.chance(0.3) ? '' : `Sent by the app: ${base.toLowerCase()}`,
      send_to_unsubscribed: critical || draw.chance(0.2),
      link_tracking: !critical && draw.chance(0.7),
      open_tracking: !critical && draw.chance(0.6),
      hide_message_body: critical,
      queue_drafts: draw.chance(0.1),
      created_at: created,
      updated_at: updated,
    };
  }
}
