import type { ActionRecord } from './data/actions.js';
import type { ActivityRecord } from './data/activities.js';
import { campaignIndexOfId, type CampaignRecord } from './data/campaigns.js';
import type { MessageRecord } from './data/messages.js';
import type { NewsletterRecord } from './data/newsletters.js';
import type { CustomerRecord, IdentifiersEntry } from './data/people.js';
import type { SegmentRecord } from './data/segments.js';
import type { WorkspaceRecord } from './data/workspaces.js';
import type { World } from './data/world.js';

export interface WorkspaceCounts {
  campaigns: number;
  actions: number;
  newsletters: number;
  segments: number;
  people: number;
  /** Messages created up to now (all time). */
  messages: number;
  /** Activities served by the feed now (retention window plus future-dated head). */
  activities: number;
}

/**
 * What the API would serve right now (at the simulator's current clock), computed from the same
 * generators as the HTTP routes, so tests compare a client's output against it without parsing
 * HTTP. Every record is the object as served (same keys, same order).
 *
 * - `now()`: the workspace clock, unix seconds.
 * - `campaigns()`, `campaign(id)`: GET /v1/campaigns items.
 * - `campaignActions(campaignId)`: every action of a campaign, in page order (ids are strings).
 * - `newsletters()`: GET /v1/newsletters items, ascending (sort=asc order).
 * - `segments()`: GET /v1/segments items.
 * - `segmentMembers(segmentId)`, `segmentMemberCioIds(segmentId)`: membership in page order.
 * - `peopleCount()`, `peopleCioIds()`: every person (a generator: 200,000 at large scale).
 * - `customer(cioId)`: the hydrated POST /v1/customers/attributes item, or undefined.
 * - `messageCount(a, b)`, `messageIds(a, b)`, `messages(a, b)`: messages with `created` in
 *   [a, b] (both inclusive) that exist now, newest first. `messages` builds full records: keep
 *   its windows small at large scale.
 * - `messageSpan()`: oldest and newest `created` and the total count existing now.
 * - `activities()`: the whole feed in served order (future-dated head first, then newest first).
 * - `workspaces()`: GET /v1/workspaces items; `counts()`: sizes of every collection now.
 */
export class GroundTruth {
  constructor(private readonly world: World) {}

  now(): number {
    return this.world.now();
  }

  campaigns(): CampaignRecord[] {
    const now = this.now();
    return Array.from({ length: this.world.campaigns.count }, (_, k) => this.world.campaigns.record(k, now));
  }

  campaign(id: number): CampaignRecord | undefined {
    const k = campaignIndexOfId(id, this.world.campaigns.count);
    return k < 0 ? undefined : this.world.campaigns.record(k, this.now());
  }

  campaignActions(campaignId: number): ActionRecord[] {
    const k = campaignIndexOfId(campaignId, this.world.campaigns.count);
    if (k < 0) throw new RangeError(`no campaign with id ${campaignId}`);
    const shape = this.world.campaigns.shape(k);
    const now = this.now();
    return Array.from({ length: shape.actionCount }, (_, j) => this.world.actions.record(shape, j, now));
  }

  newsletters(): NewsletterRecord[] {
    const now = this.now();
    return Array.from({ length: this.world.newsletters.count }, (_, k) => this.world.newsletters.record(k, now));
  }

  segments(): SegmentRecord[] {
    const now = this.now();
    return Array.from({ length: this.world.segments.count }, (_, k) => this.world.segments.record(k, now));
  }

  segmentMembers(segmentId: number): IdentifiersEntry[] {
    const k = this.world.segments.indexOfId(segmentId);
    if (k < 0) throw new RangeError(`no segment with id ${segmentId}`);
    const size = this.world.segments.size(k);
    return Array.from({ length: size }, (_, j) => this.world.people.identifiers(this.world.segments.member(k, j)));
  }

  segmentMemberCioIds(segmentId: number): string[] {
    return this.segmentMembers(segmentId).map((m) => m.cio_id);
  }

  peopleCount(): number {
    return this.world.people.count;
  }

  *peopleCioIds(): Generator<string> {
    for (let p = 0; p < this.world.people.count; p++) yield this.world.people.cioId(p);
  }

  customer(cioId: string): CustomerRecord | undefined {
    const p = this.world.people.indexOfCioId(cioId);
    return p < 0 ? undefined : this.world.people.customer(p, this.now());
  }

  messageCount(a: number, b: number): number {
    const { lo, hi } = this.messageIndexRange(a, b);
    return Math.max(0, hi - lo + 1);
  }

  messageIds(a: number, b: number): string[] {
    const { lo, hi } = this.messageIndexRange(a, b);
    const ids: string[] = [];
    for (let k = hi; k >= lo; k--) ids.push(this.world.messages.id(k));
    return ids;
  }

  messages(a: number, b: number): MessageRecord[] {
    const { lo, hi } = this.messageIndexRange(a, b);
    const now = this.now();
    const out: MessageRecord[] = [];
    for (let k = hi; k >= lo; k--) out.push(this.world.messages.record(k, now));
    return out;
  }

  messageSpan(): { oldest: number; newest: number; count: number } {
    const timeline = this.world.messages.timeline;
    const hi = timeline.lastAtOrBefore(this.now());
    return { oldest: timeline.at(0), newest: timeline.at(Math.max(0, hi)), count: hi + 1 };
  }

  activities(): ActivityRecord[] {
    const now = this.now();
    const feed = this.world.activities;
    const out: ActivityRecord[] = [];
    for (let i = 0; i < feed.futureCount; i++) if (feed.futureVisible(i, now)) out.push(feed.future(i));
    const { lo, hi } = feed.visibleRange(now);
    for (let k = hi; k >= lo; k--) out.push(feed.record(k));
    return out;
  }

  workspaces(): WorkspaceRecord[] {
    return [this.world.workspace()];
  }

  counts(): WorkspaceCounts {
    const now = this.now();
    const feed = this.world.activities;
    const { lo, hi } = feed.visibleRange(now);
    let future = 0;
    for (let i = 0; i < feed.futureCount; i++) if (feed.futureVisible(i, now)) future++;
    let actions = 0;
    for (const c of this.world.campaigns.shapes) actions += c.actionCount;
    return {
      campaigns: this.world.campaigns.count,
      actions,
      newsletters: this.world.newsletters.count,
      segments: this.world.segments.count,
      people: this.world.people.count,
      messages: this.world.messages.timeline.lastAtOrBefore(now) + 1,
      activities: future + Math.max(0, hi - lo + 1),
    };
  }

  private messageIndexRange(a: number, b: number): { lo: number; hi: number } {
    const timeline = this.world.messages.timeline;
    return { lo: timeline.firstAtOrAfter(a), hi: timeline.lastAtOrBefore(Math.min(b, this.now())) };
  }
}
