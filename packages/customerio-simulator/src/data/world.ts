import type { WorkspaceClock } from '../clock.js';
import type { ScaleSizes } from '../scale.js';
import { Actions } from './actions.js';
import { Activities } from './activities.js';
import { Campaigns } from './campaigns.js';
import { Messages } from './messages.js';
import { Newsletters } from './newsletters.js';
import { People } from './people.js';
import { Segments } from './segments.js';
import { Broadcasts } from './broadcasts.js';
import { Collections } from './collections.js';
import { DeletedParents } from './deleted.js';
import { Deletions } from './deletions.js';
import { Exports } from './exports.js';
import { NewsletterVariants } from './newsletter-variants.js';
import { Objects } from './objects.js';
import { Relationships } from './relationships.js';
import { ReportingWebhooks } from './reporting-webhooks.js';
import { SenderIdentities } from './senders.js';
import { Snippets } from './snippets.js';
import { SubscriptionChannels, SubscriptionTopics } from './subscriptions.js';
import { Suppressions } from './suppressions.js';
import { Transactional } from './transactional.js';
import { workspaceRecord, type WorkspaceRecord } from './workspaces.js';

/**
 * The simulated workspace: every collection, wired to one seed and one clock. Only per-entity
 * metadata of the small collections (campaigns, segments) is kept in memory; everything else is
 * computed from indices on demand.
 */
export class World {
  readonly people: People;
  readonly segments: Segments;
  readonly actions: Actions;
  readonly campaigns: Campaigns;
  readonly newsletters: Newsletters;
  readonly messages: Messages;
  readonly activities: Activities;
  readonly broadcasts: Broadcasts;
  readonly transactional: Transactional;
  readonly newsletterVariants: NewsletterVariants;
  readonly senderIdentities: SenderIdentities;
  readonly snippets: Snippets;
  readonly collections: Collections;
  readonly reportingWebhooks: ReportingWebhooks;
  readonly objects: Objects;
  /** Person–object relationships, generated from the people and objects, folded with the object batches' relationship changes. */
  readonly relationships: Relationships;
  readonly topics: SubscriptionTopics;
  readonly channels: SubscriptionChannels;
  readonly exports: Exports;
  readonly suppressions: Suppressions;
  readonly deleted: DeletedParents;
  /** Entities deleted between syncs (Simulator.deleteEntities): gone from their lists, 404 under them. */
  readonly deletions = new Deletions();

  constructor(
    readonly seed: number,
    readonly sizes: ScaleSizes,
    readonly clock: WorkspaceClock,
  ) {
    const origin = clock.origin;
    this.people = new People(seed, sizes.people, origin);
    this.segments = new Segments(seed, sizes.segments, sizes.people, origin);
    const segmentIds = Array.from({ length: this.segments.count }, (_, k) => this.segments.idOf(k));
    this.actions = new Actions(seed);
    this.campaigns = new Campaigns(seed, sizes.campaigns, origin, segmentIds, (c, j) => this.actions.type(c, j));
    this.newsletters = new Newsletters(seed, sizes.newsletters, origin, segmentIds);
    this.messages = new Messages(seed, sizes.messagesPerYear, origin, this.people, this.campaigns.shapes, this.actions, this.newsletters, sizes.transactional);
    this.activities = new Activities(seed, sizes.activitiesPer30Days, origin, sizes.futureActivities, this.people, this.messages);
    this.broadcasts = new Broadcasts(seed, sizes.broadcasts, origin);
    this.transactional = new Transactional(seed, sizes.transactional, origin);
    this.newsletterVariants = new NewsletterVariants(seed, this.newsletters);
    this.senderIdentities = new SenderIdentities(seed, sizes.senderIdentities, origin);
    this.snippets = new Snippets(seed, sizes.snippets, origin);
    this.collections = new Collections(seed, sizes.collections, origin);
    this.reportingWebhooks = new ReportingWebhooks(seed, sizes.reportingWebhooks);
    this.objects = new Objects(seed, sizes.objectTypes, sizes.objectsPerType, origin);
    this.relationships = new Relationships(seed, this.objects, this.people, origin);
    this.topics = new SubscriptionTopics(seed, sizes.topics);
    this.channels = new SubscriptionChannels(seed, sizes.channels);
    this.exports = new Exports(seed, sizes.maxExports, origin);
    this.suppressions = new Suppressions(seed, sizes.suppressionsPerType, origin);
    this.deleted = new DeletedParents(seed, {
      campaigns: this.campaigns.count,
      newsletters: this.newsletters.count,
      broadcasts: this.broadcasts.count,
      segmentSizes: Array.from({ length: this.segments.count }, (_, k) => this.segments.size(k)),
    });
  }

  now(): number {
    return this.clock.now();
  }

  workspace(): WorkspaceRecord {
    return workspaceRecord(this.seed, this.now(), this.people.liveCount(), this.messages, this.objects.typeCount, this.objects.total());
  }
}
