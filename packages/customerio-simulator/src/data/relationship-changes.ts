import type { RelationshipAttributes } from './relationship-record.js';

/**
 * The changes to person–object relationships a change batch makes between syncs
 * (Simulator.changeObjects), logged with the object changes (data/object-changes.ts), and the
 * state they leave: which relationships a batch added or removed, and the attribute changes of
 * each. data/relationships.ts folds this over the generated relationships.
 */
export const RELATIONSHIP_CHANGE_KINDS = ['add_relationship', 'delete_relationship', 'relationship_attribute_change'] as const;

export type RelationshipChangeKind = (typeof RELATIONSHIP_CHANGE_KINDS)[number];

export function isRelationshipKind(kind: string): kind is RelationshipChangeKind {
  return (RELATIONSHIP_CHANGE_KINDS as readonly string[]).includes(kind);
}

/**
 * The activity a relationship change writes on the object's side (§5.3):
 * `_o:<object_type_id>:add_relationship`, `_o:<object_type_id>:delete_relationship`, and for an
 * attribute change `_r:<object_type_id>:attribute_change`.
 */
export function relationshipActivityType(objectTypeId: string, kind: RelationshipChangeKind): string {
  return kind === 'relationship_attribute_change' ? `_r:${objectTypeId}:attribute_change` : `_o:${objectTypeId}:${kind}`;
}

/** True for every activity type a relationship change writes, either side: what `truth.relationships.activities` keeps. */
export function isRelationshipActivity(type: string): boolean {
  return type === 'add_relationship' || type === 'delete_relationship' || /^_o:[^:]+:(add|delete)_relationship$/.test(type) || type.startsWith('_r:');
}

/** What a relationship change does to the relationship of the object it is logged on with person `p`. */
export interface RelationshipEffect {
  /** The person (index) and the cio_id it was issued. */
  p: number;
  cio_id: string;
  /** add: the relationship begins, with `attributes`; delete: it ends; attributes: its attributes change. */
  change: 'add' | 'delete' | 'attributes';
  /** Attribute values set (as strings) or removed (null). */
  attributes?: Record<string, string | null>;
}

const objectKey = (t: number, i: number): string => `${t}:${i}`;
const relationshipKey = (t: number, i: number, p: number): string => `${t}:${i}:${p}`;

/**
 * The relationships as changed between syncs. Empty until a batch changes one; until then the
 * generated relationships are served as they are. Each world holds its own copy, kept equal by
 * committing the same batches in order (ObjectChanges.commit calls `apply`).
 */
/** What the relationship log needs of a logged change (an ObjectChange, data/object-changes.ts, which logs these). */
export interface RelationshipLogged {
  i: number;
  at: number;
  effect: { relationship?: RelationshipEffect };
}

export class RelationshipChanges<C extends RelationshipLogged = RelationshipLogged> {
  /** Relationships a batch added (true) or removed (false): this overrides the generated set. */
  private readonly state = new Map<string, boolean>();
  /** Per object, the people added and still related, in the order of their latest add. */
  private readonly addedTo = new Map<string, Map<number, true>>();
  /** Per person, the objects added and still related, in the order of their latest add. */
  private readonly addedFor = new Map<number, Map<string, { t: number; i: number }>>();
  /** The changes of a relationship since its latest add (that add first), or all of a generated one. */
  private readonly history = new Map<string, C[]>();
  private readonly log: C[] = [];

  /** Every relationship change so far, in log order. */
  entries(): readonly C[] {
    return this.log;
  }

  /** true or false when a batch added or removed the relationship; undefined when no batch did either. */
  override(t: number, i: number, p: number): boolean | undefined {
    return this.state.get(relationshipKey(t, i, p));
  }

  /** People a batch related to object (t, i), still related, in the order of their latest add. */
  addedPeople(t: number, i: number): number[] {
    return [...(this.addedTo.get(objectKey(t, i))?.keys() ?? [])];
  }

  /** Objects a batch related person p to, still related, in the order of their latest add. */
  addedObjects(p: number): { t: number; i: number }[] {
    return [...(this.addedFor.get(p)?.values() ?? [])];
  }

  /** The changes that shape the relationship's attributes now (data/relationships.ts folds them). */
  of(t: number, i: number, p: number): readonly C[] {
    return this.history.get(relationshipKey(t, i, p)) ?? [];
  }

  /** Records one committed change of object type index `t` (ObjectChanges.commit checks the order). */
  apply(c: C, t: number): void {
    const effect = c.effect.relationship;
    if (effect === undefined) return;
    const { p } = effect;
    const key = relationshipKey(t, c.i, p);
    this.log.push(c);
    if (effect.change === 'attributes') {
      const mine = this.history.get(key);
      if (mine === undefined) this.history.set(key, [c]);
      else mine.push(c);
      return;
    }
    const people = this.addedTo.get(objectKey(t, c.i)) ?? new Map<number, true>();
    const objects = this.addedFor.get(p) ?? new Map<string, { t: number; i: number }>();
    // Deleting first moves a re-added relationship to the end of both orders.
    people.delete(p);
    objects.delete(objectKey(t, c.i));
    if (effect.change === 'add') {
      this.state.set(key, true);
      this.history.set(key, [c]);
      people.set(p, true);
      objects.set(objectKey(t, c.i), { t, i: c.i });
    } else {
      this.state.set(key, false);
      this.history.delete(key);
    }
    this.addedTo.set(objectKey(t, c.i), people);
    this.addedFor.set(p, objects);
  }
}

function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k] as T;
  return out;
}

/**
 * `base` (the generated relationship's attributes, or none for one a batch added) with `changes`
 * applied in order: an add starts from nothing, a set value takes the change's time, a removed
 * one loses both. Keys stay sorted.
 */
export function applyRelationshipChanges(base: RelationshipAttributes, changes: readonly RelationshipLogged[]): RelationshipAttributes {
  let attributes = { ...base.attributes };
  let timestamps = { ...base.timestamps };
  for (const c of changes) {
    const effect = c.effect.relationship;
    if (effect === undefined) continue;
    if (effect.change === 'add') {
      attributes = {};
      timestamps = {};
    }
    for (const [k, value] of Object.entries(effect.attributes ?? {})) {
      if (value === null) {
        delete attributes[k];
        delete timestamps[k];
      } else {
        attributes[k] = value;
        timestamps[k] = c.at;
      }
    }
  }
  return { attributes: sortedKeys(attributes), timestamps: sortedKeys(timestamps) };
}
