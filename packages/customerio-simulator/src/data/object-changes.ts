import type { ActivityRecord } from './activity-record.js';
import type { ObjectIdentifiers, ObjectRecord } from './object-record.js';
import { RelationshipChanges, type RelationshipChangeKind, type RelationshipEffect } from './relationship-changes.js';

/**
 * The changes to objects a batch makes between syncs (Simulator.changeObjects), and the
 * activity each writes: `_o:<object_type_id>:<kind>` (customerio-api.md §5.3 "Activity types
 * that change a profile or an object"). A silent change (an import, say) is an
 * attribute_change that writes no activity.
 */
export const OBJECT_CHANGE_KINDS = ['create', 'attribute_change', 'delete'] as const;

/**
 * The kinds of the log: the object kinds above and the relationship kinds of
 * data/relationship-changes.ts (a relationship change is logged on its object).
 */
export type ObjectChangeKind = (typeof OBJECT_CHANGE_KINDS)[number] | RelationshipChangeKind;

/** The activity type of a change: `_o:1:create`, `_o:2:attribute_change`, `_o:1:delete`. */
export function objectActivityType(objectTypeId: string, kind: (typeof OBJECT_CHANGE_KINDS)[number]): string {
  return `_o:${objectTypeId}:${kind}`;
}

/** What one change does to the object it names. */
export interface ObjectEffect {
  /** A new object, created at the change's time (its attributes come in `attributes`). */
  create?: { created: number };
  /** Attribute values set (as strings) or removed (null). */
  attributes?: Record<string, string | null>;
  /** The object is gone. */
  gone?: 'deleted';
  /** A relationship of the object with a person is added, removed or changes its attributes. */
  relationship?: RelationshipEffect;
}

/**
 * One change to one object, resolved once (data/object-change-batch.ts) and applied as data, so
 * the route worker's world applies exactly what the main thread's did. The log is in time order:
 * `at` never decreases with `seq`.
 */
export interface ObjectChange {
  /** The batch that made it: 1, 2, … */
  batch: number;
  /** Position in the whole object change log, from 0. */
  seq: number;
  /** Unix seconds, on the workspace clock. */
  at: number;
  object_type_id: string;
  /** Index in its type: below the generated count a generated object, from it on one a batch created. */
  i: number;
  object_id: string;
  cio_object_id: string;
  kind: ObjectChangeKind;
  /** What the activity feed serves for it; null for a silent change (no activity at all). */
  activity: ActivityRecord | null;
  /**
   * add_relationship and delete_relationship only: the activity on the person's side (of the
   * same name, naming the person in `customer_identifiers`); null when silent.
   */
  personActivity?: ActivityRecord | null;
  effect: ObjectEffect;
}

/** One batch as resolved: the clock it was applied at and its changes, in log order. */
export interface ObjectChangeBatch {
  batch: number;
  at: number;
  changes: ObjectChange[];
}

/** A deleted object: the batch and time of its delete. */
export interface ObjectDeparture {
  batch: number;
  at: number;
}

/** A change the feed serves, in feed position order (ascending `at`, then `seq`). */
export interface ObjectFeedEntry {
  at: number;
  /** The person a relationship activity is on (a person filter matches it), else −1: object activities never match one. */
  p: number;
  object: { t: number; i: number };
  /** The person of a relationship whose `_o:` activity names them only in `data`: their departure hides it too. */
  related?: number;
  activity: ActivityRecord;
}

/** Where a committed batch sits among the people changes (data/change-feed.ts merges the two). */
export interface ObjectBatchSpan {
  /** How many people change activities the feed held when this batch was committed. */
  peopleFeed: number;
  /** This batch's activities: feedEntries()[from, to). */
  from: number;
  to: number;
}

const key = (t: number, i: number): string => `${t}:${i}`;

/** Type index of an object_type_id "1".."n". */
export function typeIndexOf(objectTypeId: string): number {
  return Number(objectTypeId) - 1;
}

/**
 * The changes to objects applied between syncs. Empty until a test applies a batch; until then
 * data/objects.ts serves the generated objects byte for byte. Each world (the main thread's and
 * the route worker's) holds its own copy, kept equal by committing the same batches in order.
 */
export class ObjectChanges {
  private readonly log: ObjectChange[] = [];
  private readonly byObject = new Map<string, ObjectChange[]>();
  private readonly departed = new Map<string, ObjectDeparture & { t: number; i: number }>();
  private readonly createdPerType: number[] = [];
  private readonly feed: ObjectFeedEntry[] = [];
  private readonly spans: ObjectBatchSpan[] = [];
  /** The relationship changes of the log, and the state they leave (data/relationship-changes.ts). */
  readonly relationships = new RelationshipChanges<ObjectChange>();
  private batch = 0;
  private lastBatchAt: number | undefined;

  get batches(): number {
    return this.batch;
  }

  /** The clock of the last batch, or undefined before the first. */
  get lastAt(): number | undefined {
    return this.lastBatchAt;
  }

  /** Objects of type t created by batches so far. */
  created(t: number): number {
    return this.createdPerType[t] ?? 0;
  }

  /** Every change so far, in log order. */
  entries(): readonly ObjectChange[] {
    return this.log;
  }

  /** The changes the feed serves (silent ones left out), ascending by time then log order. */
  feedEntries(): readonly ObjectFeedEntry[] {
    return this.feed;
  }

  /** Each batch's place among the people changes, in commit order. */
  batchSpans(): readonly ObjectBatchSpan[] {
    return this.spans;
  }

  /** The changes of object (t, i) to the object itself (relationship changes are in `relationships`), in log order. */
  of(t: number, i: number): readonly ObjectChange[] {
    return this.byObject.get(key(t, i)) ?? [];
  }

  departure(t: number, i: number): ObjectDeparture | undefined {
    return this.departed.get(key(t, i));
  }

  /** Every object deleted so far, in the order deleted. */
  departures(): (ObjectDeparture & { t: number; i: number })[] {
    return [...this.departed.values()];
  }

  /**
   * Applies one resolved batch. It must continue the log: the next batch number, seq numbers
   * from the current length, times that never go back, created objects numbered in order after
   * the `generated(t)` objects of their type. `peopleFeed` is how many people change activities
   * the feed holds now (the same in every world that commits the same batches in the same order).
   */
  commit(resolved: ObjectChangeBatch, generated: (t: number) => number, peopleFeed: number): void {
    if (resolved.batch !== this.batch + 1) throw new Error(`object change batch ${resolved.batch} does not follow batch ${this.batch}`);
    let last = this.log[this.log.length - 1]?.at ?? -Infinity;
    resolved.changes.forEach((c, n) => {
      if (c.seq !== this.log.length + n || c.batch !== resolved.batch || c.at < last) throw new Error(`object change ${c.seq} is out of order`);
      last = c.at;
    });
    this.batch = resolved.batch;
    this.lastBatchAt = resolved.at;
    const from = this.feed.length;
    for (const c of resolved.changes) {
      const t = typeIndexOf(c.object_type_id);
      if (c.effect.create !== undefined) {
        if (c.i !== generated(t) + this.created(t)) throw new Error(`created object ${c.object_type_id}/${c.i} is out of order`);
        this.createdPerType[t] = this.created(t) + 1;
      }
      this.log.push(c);
      const relationship = c.effect.relationship;
      if (relationship !== undefined) {
        this.relationships.apply(c, t);
        // The object's side first, so the feed (newest first) serves the person's side before it.
        const onPerson = c.kind === 'relationship_attribute_change';
        if (c.activity !== null)
          this.feed.push({ at: c.at, p: onPerson ? relationship.p : -1, object: { t, i: c.i }, related: relationship.p, activity: c.activity });
        if (c.personActivity) this.feed.push({ at: c.at, p: relationship.p, object: { t, i: c.i }, activity: c.personActivity });
        continue;
      }
      const mine = this.byObject.get(key(t, c.i));
      if (mine === undefined) this.byObject.set(key(t, c.i), [c]);
      else mine.push(c);
      if (c.effect.gone !== undefined) this.departed.set(key(t, c.i), { batch: c.batch, at: c.at, t, i: c.i });
      if (c.activity !== null) this.feed.push({ at: c.at, p: -1, object: { t, i: c.i }, activity: c.activity });
    }
    this.spans.push({ peopleFeed, from, to: this.feed.length });
  }
}

function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k] as T;
  return out;
}

/** A created object before any change: no attributes yet (its create sets them). */
export function emptyObject(objectTypeId: string, identifiers: ObjectIdentifiers): ObjectRecord {
  return { object_type_id: objectTypeId, identifiers, attributes: {}, timestamps: {} };
}

/**
 * `base` (the generated object, or an empty created one) with `changes` applied in order: a set
 * value takes the change's time as its timestamp, a removed one loses both. Keys stay sorted.
 */
export function applyObjectChanges(base: ObjectRecord, changes: readonly ObjectChange[]): ObjectRecord {
  const attributes = { ...base.attributes };
  const timestamps = { ...base.timestamps };
  for (const c of changes) {
    for (const [k, value] of Object.entries(c.effect.attributes ?? {})) {
      if (value === null) {
        delete attributes[k];
        delete timestamps[k];
      } else {
        attributes[k] = value;
        timestamps[k] = c.at;
      }
    }
  }
  return { object_type_id: base.object_type_id, identifiers: base.identifiers, attributes: sortedKeys(attributes), timestamps: sortedKeys(timestamps) };
}
