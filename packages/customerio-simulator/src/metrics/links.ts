import { Draw } from '../random.js';
import { MetricsTag } from '../tags.js';
import { LINK_CHANNELS } from './series.js';

/** A tracked link of one message (action, variant, transactional message). */
export interface LinkDef {
  id: number;
  href: string;
  /** Upper end of this link's share of the message's clicks; the last link's is exactly 1. */
  cum: number;
  /** Share of its clicks that are a person's first click on it (what `unique=true` counts). */
  unique: number;
}

// Owner number × 8 + position leaves room for the ≤ 4 links a message has.
const ID_SPAN = 100_000_000;

const PAGES = ['pricing', 'blog/whats-new', 'account/settings', 'docs/getting-started', 'offers/seasonal', 'support/contact', 'app/download', 'events/webinar'];

/**
 * The tracked links of one message, from the seed: about one message in five has none (the
 * link endpoints then answer `{"links": null}`), email has up to 4, in-app 2, SMS 1; push and
 * webhooks never track links.
 */
export function linkDefs(seed: number, owner: number, ownerNumber: number, channel: string): LinkDef[] {
  if (!LINK_CHANNELS.has(channel)) return [];
  const draw = new Draw(seed, MetricsTag.link, ownerNumber, owner);
  const most = channel === 'email' ? 4 : channel === 'in_app' ? 2 : 1;
  const n = draw.chance(0.2) ? 0 : draw.range(1, most);
  const weights = Array.from({ length: n }, () => 1 + draw.int(5));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: LinkDef[] = [];
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    out.push({
      id: owner * ID_SPAN + ownerNumber * 8 + i + 1,
      href: `https://example.com/${draw.pick(PAGES)}?utm_source=customerio&utm_content=${ownerNumber}-${i + 1}`,
      cum: i === n - 1 ? 1 : acc / total,
      unique: 0.55 + draw.float() * 0.4,
    });
  });
  return out;
}

/**
 * Link i's share of n clicks: floor(n·cum_i) − floor(n·cum_{i−1}), so the shares of all links
 * add up to exactly n.
 */
export function linkShare(n: number, links: readonly LinkDef[], i: number): number {
  const upper = Math.floor(n * (links[i]?.cum ?? 1));
  const lower = i === 0 ? 0 : Math.floor(n * (links[i - 1]?.cum ?? 0));
  return upper - lower;
}
