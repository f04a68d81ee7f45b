import { Draw } from '../random.js';
import { DAY } from '../scale.js';
import { Tag } from '../tags.js';
import { senderRef, variantSendersAsStrings } from './drift.js';
import { updatedAt } from './schedule.js';
import type { Newsletters } from './newsletters.js';
import { TOPICS } from './text.js';

/** A GET /v1/newsletters/{id}/contents item (§5.4 field list). */
export interface VariantRecord {
  id: number;
  newsletter_id: number;
  name: string;
  type: string;
  language: string;
  subject: string | null;
  body: string;
  body_amp: string | null;
  from: string | null;
  /** Integers (spec) or numeric strings (S3, live): drift.ts variantSendersAsStrings. */
  from_id: number | string | null;
  reply_to: string | null;
  reply_to_id: number | string | null;
  recipient: string | null;
  preheader_text: string | null;
  /** A JSON-encoded string, as on actions. */
  headers: string | null;
  layout: string | null;
  preprocessor: string | null;
  fake_bcc: boolean | null;
  bcc: string | null;
  cc: string | null;
  created: number;
  updated: number;
  deduplicate_id: string;
}

/** A GET /v1/newsletters/{id}/test_groups item (S13 getNewsletterTestGroups). */
export interface TestGroupRecord {
  /** Per newsletter, from 0, as in the docs example. */
  id: number;
  name: string;
  label: string;
  winner: boolean;
  content_ids: number[];
}

const LANGUAGES = ['de', 'fr'] as const;
const GROUP_NAMES = ['A', 'B', 'C'] as const;

/**
 * How a newsletter's 1..3 contents are used: a single content; language variants of one message
 * (no test groups); or an A/B test, one content per group, except that a three-content test may
 * put a language variant next to its original in group A (a group with two content ids, like the
 * docs example `content_ids: [25, 26]`).
 */
interface VariantPlan {
  languages: string[];
  groups: number[][] | null;
}

export class NewsletterVariants {
  constructor(
    private readonly seed: number,
    private readonly newsletters: Newsletters,
  ) {}

  private plan(k: number): VariantPlan {
    const ids = this.newsletters.contentIdsAt(k);
    const n = ids.length;
    const draw = new Draw(this.seed, Tag.testGroup, k, 1);
    if (n === 1) return { languages: [''], groups: null };
    if (!draw.chance(0.7)) return { languages: ids.map((_, i) => (i === 0 ? '' : (LANGUAGES[i - 1] ?? 'es'))), groups: null };
    if (n === 3 && draw.chance(0.5)) {
      return { languages: ['', 'de', ''], groups: [[0, 1], [2]] };
    }
    return { languages: ids.map(() => ''), groups: ids.map((_, i) => [i]) };
  }

  contents(k: number, now: number): VariantRecord[] {
    const ids = this.newsletters.contentIdsAt(k);
    const { languages } = this.plan(k);
    const newsletterId = this.newsletters.idOf(k);
    const type = this.newsletters.type(k);
    const newsletterCreated = this.newsletters.created(k);
    return ids.map((id, i) => {
      const draw = new Draw(this.seed, Tag.variant, id);
      const created = newsletterCreated + 60 * (i + 1);
      const updated = updatedAt(this.seed, Tag.variant, id, created, now, {
        staticShare: 0.5,
        minPeriod: DAY,
        maxPeriod: 120 * DAY,
      });
      const email = type === 'email';
      const language = languages[i] ?? '';
      const subject = email ? `${draw.pick(TOPICS)} update${language === '' ? '' : ` (${language})`}` : null;
      const senderId = email ? draw.range(1, 5) : null;
      const senderStrings = variantSendersAsStrings(this.seed, id);
      return {
        id,
        newsletter_id: newsletterId,
        name: `Variant ${i + 1}`,
        type,
        language,
        subject,
        body: `<p>Hello {{customer.first_name}}, here is variant ${i + 1}.</p>`,
        body_amp: null,
        from: email ? `Team ${senderId} <team${senderId}@example.com>` : null,
        from_id: senderRef(senderId, senderStrings),
        reply_to: email ? 'support@example.com' : null,
        reply_to_id: senderRef(email ? 1 : null, senderStrings),
        recipient: email ? '{{customer.email}}' : type === 'twilio' ? '{{customer.phone}}' : null,
        preheader_text: email ? `${subject ?? ''} (preview)` : null,
        headers: email ? '[]' : null,
        layout: email ? '<html><body>{{ content }}</body></html>' : null,
        preprocessor: email ? 'premailer' : null,
        fake_bcc: email ? false : null,
        bcc: null,
        cc: null,
        created,
        updated,
        deduplicate_id: `${id}:${updated}`,
      };
    });
  }

  /** null when the newsletter is not an A/B test. A sent test has exactly one winner. */
  testGroups(k: number, now: number): TestGroupRecord[] | null {
    const { groups } = this.plan(k);
    if (groups === null) return null;
    const ids = this.newsletters.contentIdsAt(k);
    const sent = this.newsletters.record(k, now).sent_at !== null;
    const winner = sent ? new Draw(this.seed, Tag.testGroup, k, 2).int(groups.length) : -1;
    return groups.map((members, g) => ({
      id: g,
      name: GROUP_NAMES[g] ?? String(g),
      label: `test ${g + 1}`,
      winner: g === winner,
      content_ids: members.map((i) => ids[i] ?? 0),
    }));
  }
}
