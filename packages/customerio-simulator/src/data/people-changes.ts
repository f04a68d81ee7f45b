import type { ActivityRecord } from './activity-record.js';
import type { CustomerRecord, Device, Identity } from './person-record.js';

/**
 * The activity types a change between syncs writes (customerio-api.md §5.3 "Activity types that
 * change a profile or an object"). A silent change (an import, say) has a kind but no activity.
 */
export const PEOPLE_CHANGE_KINDS = [
  'attribute_change',
  'profile_create',
  'profile_delete',
  'profile_merge',
  'device_change',
  'unsubscribed_email',
  'topic_unsubscribed_email',
] as const;

export type PeopleChangeKind = (typeof PEOPLE_CHANGE_KINDS)[number];

/** What one change does to the profile it is logged on. */
export interface PersonEffect {
  /** A new profile: its identity and when it was created (its attributes come in `attributes`). */
  create?: { identity: Identity; created: number };
  /** Attribute values set (as strings) or removed (null). `email` also changes the identifier. */
  attributes?: Record<string, string | null>;
  /** The whole device list after the change (null when it has none left). */
  devices?: Device[] | null;
  unsubscribed?: boolean;
  /** The profile is gone: deleted, or merged into another profile (`other`). */
  gone?: 'deleted' | 'merged';
  /** profile_merge: on the survivor the merged-away cio_id; on the merged-away the survivor's. */
  other?: string;
}

/**
 * One change to one profile, resolved once (data/people-change-batch.ts) and applied as data,
 * so the route worker's world applies exactly what the main thread's did. The log is in time
 * order: `at` never decreases with `seq`.
 */
export interface PersonChange {
  /** The batch that made it: 1, 2, … */
  batch: number;
  /** Position in the whole log, from 0. */
  seq: number;
  /** Unix seconds, on the workspace clock. */
  at: number;
  /** Person index: below People.count a generated person, from it on one a batch created. */
  p: number;
  cio_id: string;
  kind: PeopleChangeKind;
  /** What the activity feed serves for it; null for a silent change (no activity at all). */
  activity: ActivityRecord | null;
  effect: PersonEffect;
}

/** One batch as resolved: the clock it was applied at and its changes, in log order. */
export interface PeopleChangeBatch {
  batch: number;
  at: number;
  changes: PersonChange[];
}

/** How a person left: the change that removed the profile. */
export interface Departure {
  batch: number;
  at: number;
  how: 'deleted' | 'merged';
  /** For a merge, the survivor's cio_id. */
  into?: string;
}

/** A change that the feed serves, in feed position order (ascending `at`, then `seq`). */
export interface FeedEntry {
  at: number;
  p: number;
  activity: ActivityRecord;
}

/**
 * The changes to people applied between syncs (Simulator.changePeople). Empty until a test
 * applies a batch, and then data/people.ts folds them over the generated profiles: everything
 * a simulator without changes answers stays byte-identical. Each world (the main thread's and
 * the route worker's) holds its own copy, kept equal by committing the same batches in order.
 */
export class PeopleChanges {
  private readonly log: PersonChange[] = [];
  private readonly byPerson = new Map<number, PersonChange[]>();
  private readonly departed = new Map<number, Departure>();
  private readonly emailOwners = new Map<string, number>();
  private readonly feed: FeedEntry[] = [];
  private created = 0;
  private batch = 0;
  private lastBatchAt: number | undefined;

  /** Batches applied so far (an export job remembers it: later changes never reach its file). */
  get batches(): number {
    return this.batch;
  }

  /** Profiles created by batches so far. */
  get createdCount(): number {
    return this.created;
  }

  /** The clock of the last batch, or undefined before the first. */
  get lastAt(): number | undefined {
    return this.lastBatchAt;
  }

  /** Every change so far, in log order. */
  entries(): readonly PersonChange[] {
    return this.log;
  }

  /** The changes the feed serves (silent ones left out), ascending by time then log order. */
  feedEntries(): readonly FeedEntry[] {
    return this.feed;
  }

  /** Whether any batch touched person p (the fast path of data/people.ts skips the fold otherwise). */
  touched(p: number): boolean {
    return this.byPerson.has(p);
  }

  /** The changes of person p from batches up to `asOf`, in log order. */
  of(p: number, asOf = Infinity): readonly PersonChange[] {
    const all = this.byPerson.get(p);
    if (all === undefined) return [];
    return asOf === Infinity ? all : all.filter((c) => c.batch <= asOf);
  }

  /** How person p left, if a batch up to `asOf` removed the profile. */
  departure(p: number, asOf = Infinity): Departure | undefined {
    const d = this.departed.get(p);
    return d !== undefined && d.batch <= asOf ? d : undefined;
  }

  /** Every person removed so far, in the order removed. */
  departures(): ReadonlyMap<number, Departure> {
    return this.departed;
  }

  /** The last person a change gave this email to (data/people.ts checks it still holds it). */
  emailOwner(email: string): number | undefined {
    return this.emailOwners.get(email);
  }

  /**
   * Applies one resolved batch. It must continue the log: the next batch number, seq numbers
   * from the current length, times that never go back, created people numbered in order.
   */
  commit(resolved: PeopleChangeBatch, generatedCount: number): void {
    if (resolved.batch !== this.batch + 1) throw new Error(`people change batch ${resolved.batch} does not follow batch ${this.batch}`);
    let last = this.log[this.log.length - 1]?.at ?? -Infinity;
    resolved.changes.forEach((c, i) => {
      if (c.seq !== this.log.length + i || c.batch !== resolved.batch || c.at < last) throw new Error(`people change ${c.seq} is out of order`);
      last = c.at;
    });
    this.batch = resolved.batch;
    this.lastBatchAt = resolved.at;
    for (const c of resolved.changes) {
      if (c.effect.create !== undefined) {
        if (c.p !== generatedCount + this.created) throw new Error(`created person ${c.p} is out of order`);
        this.created++;
      }
      this.log.push(c);
      const mine = this.byPerson.get(c.p);
      if (mine === undefined) this.byPerson.set(c.p, [c]);
      else mine.push(c);
      const email = c.effect.attributes?.email ?? c.effect.create?.identity.email;
      if (typeof email === 'string') this.emailOwners.set(email, c.p);
      if (c.effect.gone !== undefined) {
        const into = c.effect.gone === 'merged' ? c.effect.other : undefined;
        this.departed.set(c.p, { batch: c.batch, at: c.at, how: c.effect.gone, ...(into === undefined ? {} : { into }) });
      }
      if (c.activity !== null) this.feed.push({ at: c.at, p: c.p, activity: c.activity });
    }
  }
}

/** A new profile before any change after its creation: what its profile_create set. */
export function createdRecord(create: NonNullable<PersonEffect['create']>): CustomerRecord {
  return { id: create.identity.id, identifiers: create.identity, attributes: {}, devices: null, timestamps: {}, unsubscribed: false };
}

function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key] as T;
  return out;
}

/**
 * `base` (the generated profile at the clock of the read, or a created one) with `changes`
 * applied in order. An attribute whose generated value was set after a change (the plan
 * schedule of data/people.ts) keeps the generated value: the later write wins. Attribute maps
 * stay sorted, and the identifiers follow the `email` attribute.
 */
export function applyChanges(base: CustomerRecord, changes: readonly PersonChange[]): CustomerRecord {
  const attributes = { ...base.attributes };
  const timestamps = { ...base.timestamps };
  let devices = base.devices;
  let unsubscribed = base.unsubscribed;
  for (const c of changes) {
    for (const [key, value] of Object.entries(c.effect.attributes ?? {})) {
      if ((base.timestamps[key] ?? -Infinity) > c.at) continue;
      if (value === null) {
        delete attributes[key];
        delete timestamps[key];
      } else {
        attributes[key] = value;
        timestamps[key] = c.at;
      }
    }
    if (c.effect.devices !== undefined) devices = c.effect.devices;
    if (c.effect.unsubscribed !== undefined) unsubscribed = c.effect.unsubscribed;
  }
  const identifiers: Identity = { cio_id: base.identifiers.cio_id, id: base.identifiers.id, email: attributes.email ?? null };
  return { id: base.id, identifiers, attributes: sortedKeys(attributes), devices, timestamps: sortedKeys(timestamps), unsubscribed };
}
