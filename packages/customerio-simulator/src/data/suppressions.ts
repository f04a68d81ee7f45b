import { Draw, hash32 } from '../random.js';
import { DAY } from '../scale.js';
import { Tag } from '../tags.js';
import { FIRST_NAMES, LAST_NAMES } from './text.js';

export const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;
export type SuppressionType = (typeof SUPPRESSION_TYPES)[number];

/** A GET /v1/esp/suppression/{type} item; `status` is a string (S11 getSuppressionByType). */
export interface SuppressionRecord {
  created: number;
  email: string;
  reason: string;
  status: string;
}

/**
 * The spec's `category` example is "bounces"|"spam"; the other two types are read as naming
 * themselves (UNCONFIRMED).
 */
export const SUPPRESSION_CATEGORY: Record<SuppressionType, string> = {
  bounces: 'bounces',
  blocks: 'blocks',
  spam_reports: 'spam',
  invalid_emails: 'invalid_emails',
};

// Distinct shares give four different list sizes.
const SHARE: Record<SuppressionType, number> = { bounces: 1, blocks: 0.5, spam_reports: 0.2, invalid_emails: 0.7 };

const REASON: Record<SuppressionType, string> = {
  bounces: '550 5.1.1 The email account that you tried to reach does not exist',
  blocks: '550 5.7.1 Message rejected due to local policy',
  spam_reports: 'The recipient marked a message as spam',
  invalid_emails: 'The address is not a valid email address',
};

const DOMAINS = ['mail.example.net', 'inbox.example.org', 'example.com'] as const;

/**
 * ESP suppression lists, newest first. One of blocks, spam_reports and invalid_emails (chosen by
 * the seed) is empty, so a client meets the `{"suppressions": null}` answer on its very first
 * request there; bounces, the longest list, always has entries to page through.
 */
export class Suppressions {
  readonly emptyType: SuppressionType;

  constructor(
    private readonly seed: number,
    private readonly perType: number,
    private readonly origin: number,
  ) {
    this.emptyType = SUPPRESSION_TYPES[1 + (hash32(seed, Tag.suppression, 0) % 3)] ?? 'blocks';
  }

  size(type: SuppressionType): number {
    return type === this.emptyType || this.perType === 0 ? 0 : Math.max(1, Math.round(this.perType * SHARE[type]));
  }

  record(type: SuppressionType, j: number): SuppressionRecord {
    const t = SUPPRESSION_TYPES.indexOf(type);
    const size = this.size(type);
    const draw = new Draw(this.seed, Tag.suppression, j, t + 1);
    const spacing = Math.max(2, Math.floor((700 * DAY) / Math.max(1, size)));
    // Strictly decreasing with j: entry j sits in the j-th slot counted back from the clock.
    const created = this.origin - (j + 1) * spacing + draw.int(spacing - 1) + 1;
    const first = draw.pick(FIRST_NAMES).toLowerCase();
    const last = draw.pick(LAST_NAMES).toLowerCase();
    return {
      created,
      // j in the local part keeps addresses distinct within a list.
      email: `${first}.${last}.${t}${j + 1}@${draw.pick(DOMAINS)}`,
      reason: REASON[type],
      status: '550',
    };
  }
}
