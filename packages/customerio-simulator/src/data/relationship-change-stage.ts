import { hash32, type Draw } from '../random.js';
import { Tag } from '../tags.js';
import type { ActivityRecord } from './activity-record.js';
import { ulid } from './ids.js';
import type { ObjectChange } from './object-changes.js';
import type { Picker } from './object-picker.js';
import { relationshipActivityType, type RelationshipChangeKind, type RelationshipEffect } from './relationship-changes.js';
import type { RelationshipAttributes } from './relationship-record.js';
import { RELATIONSHIP_ROLES } from './relationships.js';
import type { World } from './world.js';

/** The relationship counts of an object change batch (data/object-change-batch.ts). */
export interface RelationshipCounts {
  add_relationship: number;
  delete_relationship: number;
  relationship_attribute_change: number;
  /** Adds, deletes or attribute changes that write no activity on either side. */
  silent_relationship: number;
}

/** One step of a relationship story: a change to the relationship of object (t, i) with person p. */
export interface RelationshipStep {
  kind: RelationshipChangeKind;
  t: number;
  i: number;
  p: number;
  silent: boolean;
}

/**
 * Stories of relationship changes, each on an object no other story of the batch touches (the
 * shared `picker`), so each is planned on the relationships as committed. The first added
 * relationship also has its attributes changed afterwards when the batch asks for two or more
 * attribute changes: a reader must apply the two in order.
 */
export function planRelationshipStories(world: World, counts: RelationshipCounts, draw: Draw, picker: Picker): RelationshipStep[][] {
  const relationships = world.relationships;
  const related = (t: number, i: number): boolean => relationships.related(t, i).length > 0;
  const stories: RelationshipStep[][] = [];
  let attributes = counts.relationship_attribute_change;
  const add = (silent: boolean): RelationshipStep => {
    const [t, i] = picker.pick();
    return { kind: 'add_relationship', t, i, p: unrelatedPerson(world, t, i, draw), silent };
  };
  const existing = (kind: RelationshipChangeKind, silent: boolean): RelationshipStep => {
    const [t, i] = picker.pick(related, 'no object with a relationship left for this batch');
    return { kind, t, i, p: draw.pick(relationships.related(t, i)), silent };
  };
  for (let n = 0; n < counts.add_relationship; n++) {
    const step = add(false);
    const story = [step];
    if (n === 0 && attributes >= 2) {
      story.push({ ...step, kind: 'relationship_attribute_change' });
      attributes--;
    }
    stories.push(story);
  }
  for (let n = 0; n < counts.delete_relationship; n++) stories.push([existing('delete_relationship', false)]);
  for (let n = 0; n < attributes; n++) stories.push([existing('relationship_attribute_change', false)]);
  for (let n = 0; n < counts.silent_relationship; n++) {
    const kind = draw.pick(['add_relationship', 'delete_relationship', 'relationship_attribute_change'] as const);
    stories.push([kind === 'add_relationship' ? add(true) : existing(kind, true)]);
  }
  return stories;
}

/** A person with a profile not related to object (t, i) now, at random. */
function unrelatedPerson(world: World, t: number, i: number, draw: Draw): number {
  const people = world.people;
  const ok = (p: number): boolean => people.exists(p) && !world.relationships.isRelated(t, i, p);
  for (let tries = 0; tries < 64; tries++) {
    const p = draw.int(people.total);
    if (ok(p)) return p;
  }
  for (let n = 0, from = draw.int(Math.max(1, people.total)); n < people.total; n++) if (ok((from + n) % people.total)) return (from + n) % people.total;
  throw new Error(`changeObjects: no person left to relate to object ${t + 1}/${world.objects.identifiers(t, i).object_id}`);
}

/**
 * Turns relationship steps into changes, on the relationships as staged so far in the batch.
 *
 * Activities (ASSUMPTION, the vendor documents only the type names): an add or delete writes
 * `_o:<object_type_id>:add_relationship|delete_relationship` on the object's side, with no person
 * (`customer_id` and `customer_identifiers` null) and the person named only in `data.cio_id`,
 * **and**, the harder reading, `add_relationship|delete_relationship` on the person's side
 * (`customer_identifiers` the person, `data: {object_type_id, object_id}`). An attribute change
 * writes `_r:<object_type_id>:attribute_change` on the person (`data: {object_type_id,
 * object_id, <attr>: {from, to}}`, "" for none). A silent step writes neither.
 */
export class RelationshipStage {
  /** Attributes of the relationships this batch touched so far; null once removed. */
  private readonly staged = new Map<string, RelationshipAttributes | null>();

  constructor(
    private readonly world: World,
    private readonly batch: number,
    private readonly draw: Draw,
  ) {}

  change(step: RelationshipStep, at: number, seq: number): ObjectChange {
    const { t, i, p } = step;
    const ids = this.world.objects.identifiers(t, i);
    const objectTypeId = String(t + 1);
    const key = `${t}:${i}:${p}`;
    const named = { object_type_id: objectTypeId, object_id: ids.object_id };
    const cioId = this.world.people.cioId(p);
    let effect: RelationshipEffect;
    let data: Record<string, unknown>;
    if (step.kind === 'add_relationship') {
      const attributes: Record<string, string> = this.draw.chance(0.5) ? { role: this.draw.pick(RELATIONSHIP_ROLES) } : {};
      effect = { p, cio_id: cioId, change: 'add', attributes };
      this.staged.set(key, { attributes, timestamps: Object.fromEntries(Object.keys(attributes).map((k) => [k, at])) });
      data = { ...named, cio_id: cioId };
    } else if (step.kind === 'delete_relationship') {
      effect = { p, cio_id: cioId, change: 'delete' };
      this.staged.set(key, null);
      data = { ...named, cio_id: cioId };
    } else {
      const before = this.current(t, i, p, key);
      const [k, to] = this.attributeEdit(before.attributes);
      effect = { p, cio_id: cioId, change: 'attributes', attributes: { [k]: to } };
      const attributes = { ...before.attributes };
      const timestamps = { ...before.timestamps };
      if (to === null) {
        delete attributes[k];
        delete timestamps[k];
      } else {
        attributes[k] = to;
        timestamps[k] = at;
      }
      this.staged.set(key, { attributes, timestamps });
      data = { ...named, [k]: { from: before.attributes[k] ?? '', to: to ?? '' } };
    }
    const onPerson = step.kind === 'relationship_attribute_change';
    const type = relationshipActivityType(objectTypeId, step.kind);
    const change: ObjectChange = {
      batch: this.batch,
      seq,
      at,
      object_type_id: objectTypeId,
      i,
      object_id: ids.object_id,
      cio_object_id: ids.cio_object_id,
      kind: step.kind,
      activity: step.silent ? null : this.activity(seq, Tag.objectChange, type, at, onPerson ? p : -1, data),
      effect: { relationship: effect },
    };
    if (!onPerson) change.personActivity = step.silent ? null : this.activity(seq, Tag.relationshipChange, step.kind, at, p, named);
    return change;
  }

  private current(t: number, i: number, p: number, key: string): RelationshipAttributes {
    const staged = this.staged.get(key);
    if (staged === null) throw new Error(`simulator: relationship ${key} changed after it was removed`);
    return staged ?? this.world.relationships.attributes(t, i, p);
  }

  /** One attribute: the role changes, `primary` comes or goes, `seats` grows, or the role or seats go. */
  private attributeEdit(a: Record<string, string>): [string, string | null] {
    const k = this.draw.weighted([
      ['role', 3],
      ['primary', 2],
      ['seats', 1],
      ['remove', 1],
    ] as const);
    switch (k) {
      case 'role':
        return ['role', this.draw.pick(RELATIONSHIP_ROLES.filter((r) => r !== a.role))];
      case 'primary':
        return ['primary', a.primary === undefined ? 'true' : null];
      case 'seats':
        return ['seats', String(Number(a.seats ?? '0') + this.draw.range(1, 20))];
      case 'remove': {
        const removable = ['role', 'seats'].filter((x) => a[x] !== undefined);
        return removable.length === 0 ? ['seats', String(this.draw.range(1, 20))] : [this.draw.pick(removable), null];
      }
    }
  }

  /**
   * A relationship activity: on the object (`p` −1: no person, named in `data` only) or on person
   * p, whose `customer_id` is null when they have no id and, as for people changes, for about one
   * change in four (`customer_identifiers.cio_id` always names them).
   */
  private activity(seq: number, tag: number, type: string, at: number, p: number, data: Record<string, unknown>): ActivityRecord {
    const id = ulid(at * 1000 + (seq % 1000), this.world.seed, tag, seq);
    if (p < 0) return { id, type, timestamp: at, customer_id: null, customer_identifiers: null, data };
    const who = this.world.people.currentIdentity(p);
    const nullId = who.id === null || hash32(this.world.seed, Tag.relationshipChange, seq, 1) % 4 === 0;
    return { id, type, timestamp: at, customer_id: nullId ? null : who.id, customer_identifiers: { cio_id: who.cio_id, email: who.email, id: who.id }, data };
  }
}
