import type { ActionRecord } from './data/actions.js';
import type { ActivityRecord } from './data/activities.js';
import { campaignIndexOfId, type CampaignRecord } from './data/campaigns.js';
import type { MessageRecord } from './data/messages.js';
import type { NewsletterRecord } from './data/newsletters.js';
import type { ParentKind } from './data/deleted.js';
import type { DeletedEntity } from './data/deletions.js';
import {
  listedActions, listedBroadcastActions, listedBroadcasts, listedCampaigns, listedCollections, listedContents, listedNewsletters,
  listedSegments, listedSnippets, listedTransactional,
} from './data/listed.js';
import type { IdentifiersEntry, ServedCustomer } from './data/people.js';
import type { SegmentRecord } from './data/segments.js';
import type { WorkspaceRecord } from './data/workspaces.js';
import type { World } from './data/world.js';
import type { EntityIds, EntityKind } from './metrics/leaves.js';
import * as metrics from './metrics/truth.js';
import { broadcastId, type BroadcastActionRecord, type BroadcastRecord, type BroadcastTriggerRecord } from './data/broadcasts.js';
import type { CollectionRecord } from './data/collections.js';
import { parseAudienceFilter } from './data/audience-filter.js';
import { exportColumns, exportRows, type ExportJobs } from './data/export-jobs.js';
import type { ExportRecord } from './data/exports.js';
import type { TestGroupRecord, VariantRecord } from './data/newsletter-variants.js';
import type { ObjectRecord, ObjectTypeRecord } from './data/objects.js';
import type { ReportingWebhookRecord } from './data/reporting-webhooks.js';
import { segmentUsage, type SegmentUsageRecord } from './data/segment-usage.js';
import type { SenderIdentityRecord } from './data/senders.js';
import type { SnippetRecord } from './data/snippets.js';
import type { ChannelRecord, TopicRecord } from './data/subscriptions.js';
import type { SuppressionRecord, SuppressionType } from './data/suppressions.js';
import type { TransactionalRecord } from './data/transactional.js';

export interface WorkspaceCounts {
  campaigns: number;
  /** Campaign actions served (the deleted campaign's are not). */
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
 * HTTP. Every record is the object as served (same keys, same order, same JSON types).
 *
 * Served as the API serves them, so also in the truth (see data/drift.ts for each rule):
 * - Type drift side by side (§7.4): action `id` a string or an integer; `from_id`/`reply_to_id`
 *   of actions and newsletter variants integers or numeric strings; broadcast `msg_template_ids`
 *   `[{type, id}]` or bare integers; workspace `id` an integer or a numeric string.
 * - Wrapped and bare customers (§7.12): `customer(cioId)` is `{customer: {...}}` or bare.
 * - Deleted parents (§7.14): `deletedParents()` names one campaign, segment, newsletter and
 *   broadcast (ids; a list is empty when the collection is too small) that the lists still show
 *   but whose every own endpoint answers 404. Their children are therefore not served, and the
 *   truth says so: `campaignActions`, `segmentMembers`, `newsletterContents`,
 *   `newsletterTestGroups`, `broadcastActions`, `broadcastTriggers` return `[]`, `segmentUsage`
 *   returns undefined, their metrics have no series and zero counts, and a segment filter on the
 *   deleted segment matches nobody. `campaigns()`, `segments()`, `newsletters()`, `broadcasts()`
 *   and `campaign(id)` still include them (what the lists serve).
 * - Entities deleted between syncs (Simulator.deleteEntities, data/deletions.ts): every list
 *   here answers what the API serves after the delete. A deleted entity is in no list
 *   (`campaigns()`, `campaignActions(id)`, `newsletters()`, `newsletterContents(id)`,
 *   `broadcasts()`, `broadcastActions(id)`, `transactional()`, `segments()`, `snippets()`,
 *   `collections()`, the `used_by` lists of `segmentUsage`, `counts()`); `campaign(id)` is
 *   undefined for it; asked for its children (actions, contents, test groups, triggers, members)
 *   the truth answers `[]` and `segmentUsage` undefined, like for a deleted parent, and its
 *   metrics have no series. Everything else keeps its bytes: a parent keeps its `updated`, its
 *   refs (`actions`, `content_ids`, `msg_template_ids`) and its metrics when a child goes.
 *   `deletedEntities()` names every entity deleted so far, the children a parent took with it
 *   included (a campaign's actions, a newsletter's variants, a broadcast's actions), each as
 *   `{kind, id, parent?}` with the id as the API served it (action ids strings or integers,
 *   snippets by `name`), parents before their children, in the order deleted.
 * - History longer than the API's windows: messages reach 18 months back (§5.2 allows 6 per
 *   request), activities are served from `activityCutoff()`, at least 30 days back plus a
 *   seed-dependent tail of up to 3 days (§5.3: 30 days guaranteed), and the oldest campaign,
 *   newsletter, broadcast and transactional message are 11 years old (past 121 v1 months).
 *
 * - `now()`: the workspace clock, unix seconds.
 * - `campaigns()`, `campaign(id)`: GET /v1/campaigns items.
 * - `campaignActions(campaignId)`: every action of a campaign, in page order.
 * - `newsletters()`: GET /v1/newsletters items, ascending (sort=asc order).
 * - `segments()`: GET /v1/segments items.
 * - `segmentMembers(segmentId)`, `segmentMemberCioIds(segmentId)`: membership in page order.
 * - `peopleCount()`, `peopleCioIds()`: every person (a generator: 200,000 at large scale).
 * - `customer(cioId)`: the POST /v1/customers/attributes item as served (bare or wrapped), or
 *   undefined.
 * - `messageCount(a, b)`, `messageIds(a, b)`, `messages(a, b)`: messages with `created` in
 *   [a, b] (both inclusive) that exist now, newest first. `messages` builds full records: keep
 *   its windows small at large scale.
 * - `messageSpan()`: oldest and newest `created` and the total count existing now.
 * - `activities()`: the whole feed in served order (future-dated head first, then newest first);
 *   `activityCutoff()`: the oldest `timestamp` the feed serves now.
 * - `workspaces()`: GET /v1/workspaces items; `counts()`: sizes of every collection now.
 * - `newsletterContents(id)`, `newsletterTestGroups(id)`: a newsletter's variants and A/B test
 *   groups (`[]` where the API answers `test_groups: null`).
 * - `broadcasts()`: GET /v1/broadcasts items. `broadcastActions(id)`: every action of a
 *   broadcast in order, across both pages where the list is split (`[]` where the API answers
 *   `actions: null`). `broadcastTriggers(id)`: its triggers (`[]` where the API answers null).
 * - `transactional()`: GET /v1/transactional items (the `messages` list).
 * - `segmentUsage(id)`: the `used_by` object of a segment (undefined for the deleted one).
 * - `deletedParents()`: the ids of the parents deleted mid-sync, by kind (one deleted for real
 *   since is no longer listed, and no longer named here).
 * - `deletedEntities()`: every entity deleted between syncs, cascaded children included.
 * - `senderIdentities()`: every sender, hidden and visible (see each `hidden`), by id; the API
 *   serves the hidden ones only with `hidden=true`.
 * - `snippets()`, `collections()`, `reportingWebhooks()` (endpoints with their credentials, as
 *   served), `topics()`, `channels()`, `exports()` (`[]` where the API answers null): the seeded
 *   past exports, then the export jobs this simulator ran (POST /v1/exports/customers), each as
 *   GET /v1/exports serves it now (reading it may finish a job, as a GET would).
 * - Customer exports (§5.9; data/export-jobs.ts). `filters` is the JSON of the request's
 *   `filters` (the customer search grammar; throws on a malformed one), `attributes` the
 *   requested extra columns:
 *   - `exportColumns(attributes)`: the header row: `cio_id, id, email`, then the attributes.
 *   - `exportRows(filters, attributes = [], at = now())`: the data rows a job posted at workspace
 *     time `at` writes, in file order (person index), values as strings, '' where missing,
 *     equal to POST /v1/customers/attributes at that clock (a generator: by index).
 *   - `exportedCioIds(filters, at = now())`: the `cio_id` column of those rows.
 *   - `exportJobRows(id)`: the rows of a job this simulator ran, with the filters, attributes
 *     and clock it was posted with (undefined for an unknown id); `exportJob(id)` its record.
 * - `objectTypes()`: GET /v1/object_types items. `objects(typeId)`: every object of a type once
 *   (search can repeat some), as hydrated by GET /v1/objects/{type}/{id}/attributes.
 * - `suppressions(type)`: a whole ESP suppression list, newest first (`[]` for the empty one).
 * - Metrics (all endpoints of customerio-api.md §6). `kind` ∈ campaign | campaign_action | journey
 *   | newsletter | newsletter_variant | broadcast | broadcast_action | transactional; `ids` are
 *   the path ids: [campaign], [campaign, action] (or [campaign, action, language variant id] for
 *   one language), [campaign] for journeys, [newsletter], [newsletter, content], [broadcast],
 *   [broadcast, action], [transactional]. Counts are defined per UTC hour and only summed:
 *   - `metricSeriesNames(kind, ids)`: the keys of `metric.series` (`journey_metric` for journeys).
 *   - `hourlyCount(kind, ids, series, hourStartUnix)`: one series in one UTC hour.
 *   - `bucketCount(kind, ids, series, res, bucketStartUnix, tz = 'UTC')`: one series in the bucket
 *     of `res` (hours|days|weeks|months or the -ly forms) that holds `bucketStartUnix` in `tz`;
 *     exactly the sum of the hours that start inside it. v1 buckets: tz 'America/New_York'.
 *   - `metricLinks(kind, ids)`: tracked links `{id, href}` in served order (`[]` where the API
 *     answers `links: null`); `linkBucketCount(kind, ids, linkId, series, res, bucketStartUnix,
 *     tz = 'UTC', unique = false)`: one link series in one bucket.
 *   - `v1BucketStarts(period, steps?)`: bucket starts of a v1 request now (the last holds now);
 *     `v2BucketStarts(res, start, end, tz = 'UTC')`: bucket starts of a v2 or journey window.
 *   - `languageVariantIds(campaignId, actionId)`: the `language_variants` keys of an action.
 */
export class GroundTruth {
  constructor(
    private readonly world: World,
    private readonly exportJobs?: ExportJobs,
  ) {}

  now(): number {
    return this.world.now();
  }

  campaigns(): CampaignRecord[] {
    const now = this.now();
    return listedCampaigns(this.world).map((k) => this.world.campaigns.record(k, now));
  }

  campaign(id: number): CampaignRecord | undefined {
    const k = campaignIndexOfId(id, this.world.campaigns.count);
    return k < 0 || this.world.deletions.has('campaign', id) ? undefined : this.world.campaigns.record(k, this.now());
  }

  campaignActions(campaignId: number): ActionRecord[] {
    const k = campaignIndexOfId(campaignId, this.world.campaigns.count);
    if (k < 0) throw new RangeError(`no campaign with id ${campaignId}`);
    if (this.world.deleted.isDeleted('campaign', k) || this.world.deletions.has('campaign', campaignId)) return [];
    const shape = this.world.campaigns.shape(k);
    const now = this.now();
    return listedActions(this.world, shape).map((j) => this.world.actions.record(shape, j, now));
  }

  newsletters(): NewsletterRecord[] {
    const now = this.now();
    return listedNewsletters(this.world).map((k) => this.world.newsletters.record(k, now));
  }

  segments(): SegmentRecord[] {
    const now = this.now();
    return listedSegments(this.world).map((k) => this.world.segments.record(k, now));
  }

  segmentMembers(segmentId: number): IdentifiersEntry[] {
    const k = this.world.segments.indexOfId(segmentId);
    if (k < 0) throw new RangeError(`no segment with id ${segmentId}`);
    if (this.world.deleted.isDeleted('segment', k) || this.world.deletions.has('segment', segmentId)) return [];
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

  customer(cioId: string): ServedCustomer | undefined {
    const p = this.world.people.indexOfCioId(cioId);
    return p < 0 ? undefined : this.world.people.servedCustomer(p, this.now());
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

  activityCutoff(): number {
    return this.world.activities.cutoff(this.now());
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
    const campaigns = listedCampaigns(this.world);
    let actions = 0;
    for (const k of campaigns) {
      if (!this.world.deleted.isDeleted('campaign', k)) actions += listedActions(this.world, this.world.campaigns.shape(k)).length;
    }
    return {
      campaigns: campaigns.length,
      actions,
      newsletters: listedNewsletters(this.world).length,
      segments: listedSegments(this.world).length,
      people: this.world.people.count,
      messages: this.world.messages.timeline.lastAtOrBefore(now) + 1,
      activities: future + Math.max(0, hi - lo + 1),
    };
  }

  newsletterContents(newsletterId: number): VariantRecord[] {
    const k = this.newsletterIndex(newsletterId);
    return this.newsletterGone(k, newsletterId) ? [] : listedContents(this.world, k, this.now());
  }

  newsletterTestGroups(newsletterId: number): TestGroupRecord[] {
    const k = this.newsletterIndex(newsletterId);
    return this.newsletterGone(k, newsletterId) ? [] : (this.world.newsletterVariants.testGroups(k, this.now()) ?? []);
  }

  broadcasts(): BroadcastRecord[] {
    const now = this.now();
    return listedBroadcasts(this.world).map((k) => this.world.broadcasts.record(k, now));
  }

  broadcastActions(broadcastId: number): BroadcastActionRecord[] {
    const k = this.broadcastIndex(broadcastId);
    if (this.broadcastGone(k, broadcastId)) return [];
    const now = this.now();
    return listedBroadcastActions(this.world, k).map((j) => this.world.broadcasts.actionRecord(k, j, now));
  }

  broadcastTriggers(broadcastId: number): BroadcastTriggerRecord[] {
    const k = this.broadcastIndex(broadcastId);
    if (this.broadcastGone(k, broadcastId)) return [];
    const now = this.now();
    return Array.from({ length: this.world.broadcasts.triggerCount(k) }, (_, t) => this.world.broadcasts.trigger(k, t, now));
  }

  transactional(): TransactionalRecord[] {
    const now = this.now();
    return listedTransactional(this.world).map((k) => this.world.transactional.record(k, now));
  }

  segmentUsage(segmentId: number): SegmentUsageRecord | undefined {
    const k = this.world.segments.indexOfId(segmentId);
    if (k < 0) throw new RangeError(`no segment with id ${segmentId}`);
    const gone = this.world.deleted.isDeleted('segment', k) || this.world.deletions.has('segment', segmentId);
    return gone ? undefined : segmentUsage(this.world, segmentId, this.now());
  }

  deletedEntities(): DeletedEntity[] {
    return this.world.deletions.entities();
  }

  deletedParents(): Record<`${ParentKind}s`, number[]> {
    const w = this.world;
    // One deleted for real since (deleteEntities) is no longer listed: no longer such a parent.
    const id = (kind: ParentKind, idOf: (k: number) => number): number[] => {
      const k = w.deleted.indexOf(kind);
      return k < 0 || w.deletions.has(kind, idOf(k)) ? [] : [idOf(k)];
    };
    return {
      campaigns: id('campaign', (k) => w.campaigns.shape(k).id),
      segments: id('segment', (k) => w.segments.idOf(k)),
      newsletters: id('newsletter', (k) => w.newsletters.idOf(k)),
      broadcasts: id('broadcast', (k) => broadcastId(k)),
    };
  }

  senderIdentities(): SenderIdentityRecord[] {
    return Array.from({ length: this.world.senderIdentities.count }, (_, k) => this.world.senderIdentities.record(k));
  }

  snippets(): SnippetRecord[] {
    const now = this.now();
    return listedSnippets(this.world).map((k) => this.world.snippets.record(k, now));
  }

  collections(): CollectionRecord[] {
    const now = this.now();
    return listedCollections(this.world).map((k) => this.world.collections.record(k, now));
  }

  reportingWebhooks(): ReportingWebhookRecord[] {
    return Array.from({ length: this.world.reportingWebhooks.count }, (_, k) => this.world.reportingWebhooks.record(k));
  }

  objectTypes(): ObjectTypeRecord[] {
    return Array.from({ length: this.world.objects.typeCount }, (_, t) => this.world.objects.type(t));
  }

  objects(typeId: string): ObjectRecord[] {
    const t = this.world.objects.typeIndexOfId(typeId);
    if (t < 0) throw new RangeError(`no object type with id ${typeId}`);
    return Array.from({ length: this.world.objects.count(t) }, (_, i) => this.world.objects.record(t, i));
  }

  topics(): TopicRecord[] {
    return Array.from({ length: this.world.topics.count }, (_, k) => this.world.topics.record(k));
  }

  channels(): ChannelRecord[] {
    return Array.from({ length: this.world.channels.count }, (_, k) => this.world.channels.record(k));
  }

  exports(): ExportRecord[] {
    const now = this.now();
    const past = Array.from({ length: this.world.exports.count }, (_, k) => this.world.exports.record(k, now));
    return [...past, ...(this.exportJobs?.records(now) ?? [])];
  }

  exportColumns(attributes: readonly string[] = []): string[] {
    return exportColumns(attributes);
  }

  exportRows(filters: unknown, attributes: readonly string[] = [], at = this.now()): Generator<string[]> {
    return exportRows(this.world, parseAudienceFilter(filters), attributes, at);
  }

  *exportedCioIds(filters: unknown, at = this.now()): Generator<string> {
    for (const row of this.exportRows(filters, [], at)) yield row[0] as string;
  }

  exportJob(id: number): ExportRecord | undefined {
    return this.exportJobs?.recordOf(id, this.now());
  }

  exportJobRows(id: number): Generator<string[]> | undefined {
    const spec = this.exportJobs?.spec(id);
    return spec && exportRows(this.world, spec.filter, spec.attributes, spec.at, spec.deletionBatch);
  }

  suppressions(type: SuppressionType): SuppressionRecord[] {
    const s = this.world.suppressions;
    return Array.from({ length: s.size(type) }, (_, j) => s.record(type, j));
  }

  /** Mid-sync (data/deleted.ts) or between syncs (data/deletions.ts): nothing under it is served. */
  private newsletterGone(k: number, id: number): boolean {
    return this.world.deleted.isDeleted('newsletter', k) || this.world.deletions.has('newsletter', id);
  }

  private broadcastGone(k: number, id: number): boolean {
    return this.world.deleted.isDeleted('broadcast', k) || this.world.deletions.has('broadcast', id);
  }

  private newsletterIndex(id: number): number {
    const k = this.world.newsletters.indexOfId(id);
    if (k < 0) throw new RangeError(`no newsletter with id ${id}`);
    return k;
  }

  private broadcastIndex(id: number): number {
    const k = this.world.broadcasts.indexOfId(id);
    if (k < 0) throw new RangeError(`no broadcast with id ${id}`);
    return k;
  }

  metricSeriesNames(kind: EntityKind, ids: EntityIds): string[] {
    return metrics.seriesNames(this.world, kind, ids);
  }

  hourlyCount(kind: EntityKind, ids: EntityIds, series: string, hourStartUnix: number): number {
    return metrics.hourlyCount(this.world, kind, ids, series, hourStartUnix);
  }

  bucketCount(kind: EntityKind, ids: EntityIds, series: string, res: string, bucketStartUnix: number, tz = 'UTC'): number {
    return metrics.bucketCount(this.world, kind, ids, series, res, bucketStartUnix, tz);
  }

  metricLinks(kind: EntityKind, ids: EntityIds): { id: number; href: string }[] {
    return metrics.links(this.world, kind, ids);
  }

  linkBucketCount(
    kind: EntityKind,
    ids: EntityIds,
    linkId: number,
    series: metrics.LinkSeriesName,
    res: string,
    bucketStartUnix: number,
    tz = 'UTC',
    unique = false,
  ): number {
    return metrics.linkBucketCount(this.world, kind, ids, linkId, series, res, bucketStartUnix, tz, unique);
  }

  v1BucketStarts(period: string, steps?: number): number[] {
    return metrics.v1BucketStarts(this.world, period, steps);
  }

  v2BucketStarts(res: string, start: number, end: number, tz = 'UTC'): number[] {
    return metrics.v2BucketStarts(res, start, end, tz);
  }

  languageVariantIds(campaignId: number, actionId: number): number[] {
    return metrics.languageVariantIds(this.world, campaignId, actionId);
  }

  private messageIndexRange(a: number, b: number): { lo: number; hi: number } {
    const timeline = this.world.messages.timeline;
    return { lo: timeline.firstAtOrAfter(a), hi: timeline.lastAtOrBefore(Math.min(b, this.now())) };
  }
}
