import { Draw } from '../random.js';
import { DAY } from '../scale.js';
import { Tag } from '../tags.js';
import { updatedAt } from './schedule.js';
import { roundName } from './text.js';

/** A GET /v1/snippets item: `name` is the key; live serves no `id` (S3), so none is generated. */
export interface SnippetRecord {
  name: string;
  value: string;
  updated_at: number;
}

const NAMES = [
  'company_address',
  'footer',
  'unsubscribe_text',
  'support_email',
  'social_links',
  'legal_disclaimer',
  'header_logo',
  'signature',
  'promo_banner',
  'app_store_links',
] as const;

const VALUES = [
  '1 Example Way, Springfield',
  '<p>Sent with care by Example Inc.</p>',
  'Unsubscribe at any time: {% unsubscribe_url %}',
  'support@example.com',
  '<a href="https://social.example.com/example">Follow us</a>',
  'Terms apply. See example.com/legal.',
  '<img src="https://cdn.example.com/logo.png" alt="Example">',
  'The Example team',
  'Save 20% this week',
  'Get the app',
] as const;

export class Snippets {
  constructor(
    private readonly seed: number,
    readonly count: number,
    private readonly origin: number,
  ) {}

  /** The key of snippet #k (`footer`, `footer_2`, …); it never changes. */
  name(k: number): string {
    return roundName(NAMES[k % NAMES.length] ?? 'snippet', k, NAMES.length, '_');
  }

  /** The index of the snippet with this name, or −1. */
  indexOfName(name: string): number {
    for (let k = 0; k < this.count; k++) if (this.name(k) === name) return k;
    return -1;
  }

  record(k: number, now: number): SnippetRecord {
    const draw = new Draw(this.seed, Tag.snippet, k);
    const base = k % NAMES.length;
    // No `created` is served; the first version dates from the workspace's first two years.
    const created = this.origin - 800 * DAY + draw.int(700 * DAY);
    return {
      name: this.name(k),
      value: VALUES[base] ?? '',
      updated_at: updatedAt(this.seed, Tag.snippet, k, created, now, { staticShare: 0.4, minPeriod: 2 * DAY, maxPeriod: 90 * DAY }),
    };
  }
}
