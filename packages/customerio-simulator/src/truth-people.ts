import type { ActivityRecord } from './data/activities.js';
import { activityFilter, wholeFeed } from './data/activity-feed.js';
import type { PersonChange } from './data/people-changes.js';
import type { ServedCustomer } from './data/people.js';
import type { World } from './data/world.js';

/**
 * The activity types that change a profile (customerio-api.md §5.3 "Activity types that change a
 * profile or an object", people and relationships): what an incremental people reader looks for.
 */
export const PROFILE_CHANGE_TYPES = [
  'attribute_change',
  'failed_attribute_change',
  'profile_create',
  'profile_delete',
  'profile_merge',
  'anon_merge',
  'device_change',
  'skipped_update',
  'unsubscribed_email',
  'topic_unsubscribed_email',
  'unsubscribed_action',
  'add_relationship',
  'delete_relationship',
  'relationship_attribute_change',
] as const;

/** GET /v1/activities query parameters, as a client sends them (strings and booleans). */
export interface ActivityQuery {
  type?: string;
  name?: string;
  deleted?: boolean;
  customer_id?: string;
  id_type?: 'id' | 'email' | 'cio_id';
}

/** How a changed person can be found: through an activity the feed serves, or only by reading profiles. */
export type ChangeVisibility = 'any' | 'activity' | 'silent';

/** A person removed between syncs. */
export interface GonePerson {
  cio_id: string;
  how: 'deleted' | 'merged';
  /** When the profile went (the change's time). */
  at: number;
  /** For a merge: the survivor's cio_id. */
  into?: string;
}

/**
 * Ground truth of people as changed between syncs (Simulator.changePeople), for tests:
 * `truth.people` on the simulator handle. Everything is what the API serves at the current clock.
 *
 * - `current()`: cio_id → the POST /v1/customers/attributes item (bare or wrapped, §7.12) of
 *   every person with a profile, in search order (generated people, then those created).
 * - `changedSince(t, via = 'any')`: cio_ids (search order) of people with a profile now whose
 *   profile changed after `t`: by a change batch, or by the generated plan schedule (a change
 *   without activity, data/people.ts). `via: 'activity'` keeps those with at least one change
 *   after `t` whose activity the default feed serves (a feed reader can find them); `'silent'`
 *   the others (only re-reading profiles finds them). Not counted: the `last_used` of generated
 *   devices, which moves with the clock for every person with a device (data/people.ts).
 * - `gone()`, `deleted()`, `mergedAway()`: people removed, in the order removed.
 * - `changeLog()`: every change of every batch, in log (time) order; `batches()` how many.
 * - `activities(query)`: the whole feed GET /v1/activities serves for those filters (paged
 *   together), e.g. `{deleted: true}` or `{type: 'attribute_change'}`.
 * - `namedInFeedSince(t, types)`: cio_ids (first-seen order, newest first) that the default feed
 *   names in activities of `types` (default PROFILE_CHANGE_TYPES) with a timestamp after `t`,
 *   generated history included: the people an activity-driven reader hydrates.
 */
export class PeopleTruth {
  constructor(
    private readonly world: World,
    private readonly now: () => number,
  ) {}

  current(): Map<string, ServedCustomer> {
    const people = this.world.people;
    const now = this.now();
    const out = new Map<string, ServedCustomer>();
    for (let p = 0; p < people.total; p++) if (people.exists(p)) out.set(people.cioId(p), people.servedCustomer(p, now));
    return out;
  }

  changedSince(since: number, via: ChangeVisibility = 'any'): string[] {
    const people = this.world.people;
    const now = this.now();
    const cutoff = this.world.activities.cutoff(now);
    const found = new Map<number, boolean>();
    for (const c of people.changes.entries()) {
      if (c.at <= since || !people.exists(c.p)) continue;
      const served = c.activity !== null && c.at >= cutoff;
      found.set(c.p, (found.get(c.p) ?? false) || served);
    }
    // The generated plan schedule edits profiles as the clock moves, without an activity.
    for (let p = 0; p < people.count; p++) {
      if (found.has(p) || !people.exists(p)) continue;
      const plan = people.plan(p, now);
      if (plan.at > since && people.customer(p, now).timestamps.plan === plan.at) found.set(p, false);
    }
    return [...found]
      .filter(([, activity]) => via === 'any' || activity === (via === 'activity'))
      .map(([p]) => p)
      .sort((a, b) => a - b)
      .map((p) => people.cioId(p));
  }

  gone(): GonePerson[] {
    const people = this.world.people;
    return [...people.changes.departures()].map(([p, d]) => ({
      cio_id: people.cioId(p),
      how: d.how,
      at: d.at,
      ...(d.into === undefined ? {} : { into: d.into }),
    }));
  }

  deleted(): string[] {
    return this.gone()
      .filter((g) => g.how === 'deleted')
      .map((g) => g.cio_id);
  }

  mergedAway(): { cio_id: string; into: string }[] {
    return this.gone().flatMap((g) => (g.how === 'merged' && g.into !== undefined ? [{ cio_id: g.cio_id, into: g.into }] : []));
  }

  changeLog(): PersonChange[] {
    return this.world.people.changes.entries().map((c) => structuredClone(c));
  }

  batches(): number {
    return this.world.people.changes.batches;
  }

  activities(query: ActivityQuery = {}): ActivityRecord[] {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return wholeFeed(this.world, this.now(), activityFilter(this.world, params));
  }

  namedInFeedSince(since: number, types: readonly string[] = PROFILE_CHANGE_TYPES): string[] {
    const named = new Set<string>();
    for (const a of wholeFeed(this.world, this.now())) {
      // Object activities name no person (customer_identifiers null).
      if (a.timestamp > since && types.includes(a.type) && a.customer_identifiers !== null) named.add(a.customer_identifiers.cio_id);
    }
    return [...named];
  }
}
