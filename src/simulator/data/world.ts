import type { WorkspaceClock } from '../clock.js';
import type { ScaleSizes } from '../scale.js';
import { Actions } from './actions.js';
import { Activities } from './activities.js';
import { Campaigns } from './campaigns.js';
import { Messages } from './messages.js';
import { Newsletters } from './newsletters.js';
import { People } from './people.js';
import { Segments } from './segments.js';
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
    this.messages = new Messages(
      seed,
      sizes.messagesPerYear,
      origin,
      this.people,
      this.campaigns.shapes,
      this.actions,
      this.newsletters,
    );
    this.activities = new Activities(seed, sizes.activitiesPer30Days, origin, sizes.futureActivities, this.people, this.messages);
  }

  now(): number {
    return this.clock.now();
  }

  workspace(): WorkspaceRecord {
    return workspaceRecord(this.seed, this.now(), this.people.count, this.messages);
  }
}
