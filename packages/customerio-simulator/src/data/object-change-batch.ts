import { Draw } from '../random.js';
import { Tag } from '../tags.js';
import type { ActivityRecord } from './activity-record.js';
import { lastChangeAt } from './change-feed.js';
import { ulid } from './ids.js';
import {
  applyObjectChanges,
  emptyObject,
  objectActivityType,
  OBJECT_CHANGE_KINDS,
  type ObjectChange,
  type ObjectChangeBatch,
  type ObjectEffect,
} from './object-changes.js';
import { Picker } from './object-picker.js';
import type { ObjectRecord } from './objects.js';
import { interleave, spreadTimes } from './people-change-batch.js';
import { isRelationshipKind } from './relationship-changes.js';
import { planRelationshipStories, RelationshipStage, type RelationshipStep } from './relationship-change-stage.js';
import { COUNTRIES, PLANS } from './text.js';
import type { World } from './world.js';

/**
 * What an object change batch asks for: how many changes of each kind. The activity kinds
 * (`_o:<type>:create`, `…:attribute_change`, `…:delete`), plus `silent` (attribute changes that
 * write no activity, as an import does) and `several` (objects changed two to four times in the
 * batch, on top of the other counts); then the relationship kinds (`add_relationship`,
 * `delete_relationship`, `relationship_attribute_change`, data/relationship-change-stage.ts) and
 * `silent_relationship` (one of the three, at random, writing no activity on either side).
 */
export const OBJECT_CHANGE_COUNT_KEYS = [
  'create',
  'attribute_change',
  'delete',
  'silent',
  'several',
  'add_relationship',
  'delete_relationship',
  'relationship_attribute_change',
  'silent_relationship',
] as const;

export type ObjectChangeCountKey = (typeof OBJECT_CHANGE_COUNT_KEYS)[number];
export type ObjectChangeCounts = Partial<Record<ObjectChangeCountKey, number>>;

/** Simulator.changeObjects's argument and the body of POST /__sim/change-objects. */
export interface ObjectChangeRequest {
  /** Omitted: DEFAULT_OBJECT_CHANGES. Given: kinds left out are 0. */
  counts?: ObjectChangeCounts;
  /** Picks objects and values; default the batch number, so the same batches replay the same. */
  seed?: number;
}

/** A bit of everything: what a batch holds when the request names no counts. */
export const DEFAULT_OBJECT_CHANGES: Readonly<Record<ObjectChangeCountKey, number>> = {
  create: 3,
  attribute_change: 6,
  delete: 2,
  silent: 3,
  several: 2,
  add_relationship: 3,
  delete_relationship: 2,
  relationship_attribute_change: 3,
  silent_relationship: 2,
};

/** More than this in one batch is refused. */
export const MAX_OBJECT_CHANGES_PER_BATCH = 10_000;

type StepKind = 'create' | 'attribute' | 'silent' | 'delete';

/** One step of a story: a change to the story's object (a created one has a negative stand-in index), or to one of its relationships. */
type Step = { kind: StepKind; t: number; i: number } | RelationshipStep;

/**
 * Resolves a batch against the objects as they are now, at the clock `world.now()`: which
 * objects change, what, and when. Times spread over the span since the previous change batch
 * of people or objects (or since the initial clock), ascending in log order, some sharing a
 * second. Throws an Error, changing nothing, for a malformed request or one that asks for more
 * objects than the workspace has.
 */
export function resolveObjectChanges(world: World, request: unknown): ObjectChangeBatch {
  const { counts, seed } = parseRequest(request);
  const batch = world.objects.changes.batches + 1;
  const now = world.now();
  const draw = new Draw(world.seed, Tag.objectChange, seed ?? batch);
  const stories = planStories(world, counts, draw);
  const order = interleave(stories, draw);
  const times = spreadTimes(lastChangeAt(world), now, order.length, draw);
  const stage = new ObjectStage(world, batch, draw);
  order.forEach((step, n) => stage.apply(step, times[n] ?? now));
  return { batch, at: now, changes: stage.changes };
}

function parseRequest(raw: unknown): { counts: Record<ObjectChangeCountKey, number>; seed: number | undefined } {
  if (raw === undefined || raw === null) return { counts: { ...DEFAULT_OBJECT_CHANGES }, seed: undefined };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error('changeObjects takes {counts?, seed?}');
  const { counts, seed, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new Error(`changeObjects: unknown field ${extra.join(', ')} (counts, seed)`);
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) {
    throw new Error('changeObjects: seed must be a non-negative integer');
  }
  if (counts === undefined) return { counts: { ...DEFAULT_OBJECT_CHANGES }, seed };
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) throw new Error('changeObjects: counts must be an object');
  const out = Object.fromEntries(OBJECT_CHANGE_COUNT_KEYS.map((k) => [k, 0])) as Record<ObjectChangeCountKey, number>;
  let total = 0;
  for (const [k, value] of Object.entries(counts)) {
    if (!(OBJECT_CHANGE_COUNT_KEYS as readonly string[]).includes(k)) {
      throw new Error(`changeObjects: unknown count ${JSON.stringify(k)} (one of ${OBJECT_CHANGE_COUNT_KEYS.join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`changeObjects: counts.${k} must be a non-negative integer`);
    out[k as ObjectChangeCountKey] = value;
    total += value;
  }
  if (total > MAX_OBJECT_CHANGES_PER_BATCH) throw new Error(`changeObjects: at most ${MAX_OBJECT_CHANGES_PER_BATCH} changes per batch`);
  return { counts: out, seed };
}

/**
 * Stories: the steps of one object in the order they happen. Besides one change per object, the
 * batch stages the cases an incremental reader gets wrong: an object changed and then deleted
 * (the change is then only served with deleted=true), an object created and then changed, and
 * `several` objects changed two to four times, silently in part.
 */
function planStories(world: World, counts: Record<ObjectChangeCountKey, number>, draw: Draw): Step[][] {
  const objects = world.objects;
  if (objects.typeCount === 0 && Object.values(counts).some((n) => n > 0)) throw new Error('changeObjects: this workspace has no object types');
  const picker = new Picker(world, draw);
  const stories: Step[][] = [];
  let attributes = counts.attribute_change;
  for (let n = 0; n < counts.create; n++) {
    const step: Step = { kind: 'create', t: draw.int(objects.typeCount), i: -1 - n };
    const story: Step[] = [step];
    if (n === 0 && attributes >= 2) {
      story.push({ ...step, kind: 'attribute' });
      attributes--;
    }
    stories.push(story);
  }
  for (let n = 0; n < counts.delete; n++) {
    const [t, i] = picker.pick();
    const story: Step[] = [{ kind: 'delete', t, i }];
    if (n === 0 && attributes >= 1) {
      story.unshift({ kind: 'attribute', t, i });
      attributes--;
    }
    stories.push(story);
  }
  const single = (kind: StepKind, n: number): void => {
    for (let k = 0; k < n; k++) {
      const [t, i] = picker.pick();
      stories.push([{ kind, t, i }]);
    }
  };
  single('attribute', attributes);
  single('silent', counts.silent);
  for (let n = 0; n < counts.several; n++) {
    const [t, i] = picker.pick();
    const story: Step[] = [{ kind: 'attribute', t, i }];
    const size = draw.range(2, 4);
    while (story.length < size) story.push({ kind: draw.pick(['attribute', 'attribute', 'silent'] as const), t, i });
    stories.push(story);
  }
  // After the object stories, so a batch without relationship counts draws as it did before them.
  stories.push(...planRelationshipStories(world, counts, draw, picker));
  return stories;
}

const INDUSTRIES = ['software', 'retail', 'health', 'education', 'finance', 'media', 'logistics'] as const;
const TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;

/** The batch being built: each step becomes a change, computed on the objects as staged so far. */
class ObjectStage {
  readonly changes: ObjectChange[] = [];
  private readonly staged = new Map<string, ObjectChange[]>();
  /** Stand-in → object index, per type, of the objects this batch created. */
  private readonly createdAs = new Map<string, number>();
  private readonly createdPerType = new Map<number, number>();
  private readonly firstSeq: number;
  /** The first attribute_change with an activity changes several attributes at once. */
  private several = false;
  private readonly relationships: RelationshipStage;

  constructor(
    private readonly world: World,
    private readonly batch: number,
    private readonly draw: Draw,
  ) {
    this.firstSeq = world.objects.changes.entries().length;
    this.relationships = new RelationshipStage(world, batch, draw);
  }

  apply(planned: Step, at: number): void {
    if (isRelationshipKind(planned.kind)) {
      this.changes.push(this.relationships.change(planned as RelationshipStep, at, this.firstSeq + this.changes.length));
      return;
    }
    const t = planned.t;
    if (planned.kind === 'create') {
      const made = this.createdPerType.get(t) ?? 0;
      const i = this.world.objects.size(t) + made;
      this.createdPerType.set(t, made + 1);
      this.createdAs.set(`${t}:${planned.i}`, i);
      return this.create(t, i, at);
    }
    const i = planned.i >= 0 ? planned.i : (this.createdAs.get(`${t}:${planned.i}`) ?? -1);
    const before = this.object(t, i);
    if (planned.kind === 'delete') {
      return this.push(t, i, at, 'delete', { gone: 'deleted' }, this.named(before, {}));
    }
    const silent = planned.kind === 'silent';
    const { effect, data } = this.attributeEdit(before, !silent && !this.several);
    if (!silent) this.several = true;
    this.push(t, i, at, 'attribute_change', { attributes: effect }, silent ? null : this.named(before, data));
  }

  /** Object (t, i) with this batch's changes so far. */
  private object(t: number, i: number): ObjectRecord {
    const staged = this.staged.get(`${t}:${i}`) ?? [];
    const objects = this.world.objects;
    if (staged[0]?.effect.create !== undefined) return applyObjectChanges(emptyObject(String(t + 1), objects.identifiers(t, i)), staged);
    if (!objects.exists(t, i)) throw new Error(`simulator: object ${t + 1}/${i} changed before it exists`);
    const base = objects.current(t, i);
    return staged.length === 0 ? base : applyObjectChanges(base, staged);
  }

  /**
   * The object named in `data` (ASSUMPTION, the vendor documents no object activity): its
   * `object_type_id` (a string, as object types serve it) and `object_id` first, then the
   * attribute changes keyed by attribute name. No cio_object_id.
   */
  private named(object: ObjectRecord, rest: Record<string, unknown>): Record<string, unknown> {
    return { object_type_id: object.object_type_id, object_id: object.identifiers.object_id, ...rest };
  }

  private push(t: number, i: number, at: number, kind: (typeof OBJECT_CHANGE_KINDS)[number], effect: ObjectEffect, data: Record<string, unknown> | null): void {
    const seq = this.firstSeq + this.changes.length;
    const ids = this.world.objects.identifiers(t, i);
    const objectTypeId = String(t + 1);
    const change: ObjectChange = {
      batch: this.batch,
      seq,
      at,
      object_type_id: objectTypeId,
      i,
      object_id: ids.object_id,
      cio_object_id: ids.cio_object_id,
      kind,
      activity: data === null ? null : this.activity(seq, objectActivityType(objectTypeId, kind), at, data),
      effect,
    };
    const mine = this.staged.get(`${t}:${i}`);
    if (mine === undefined) this.staged.set(`${t}:${i}`, [change]);
    else mine.push(change);
    this.changes.push(change);
  }

  /**
   * An object's activity (ASSUMPTION): no person, so `customer_id` and `customer_identifiers`
   * are both null; the object is named only in `data`.
   */
  private activity(seq: number, type: string, at: number, data: Record<string, unknown>): ActivityRecord {
    return {
      id: ulid(at * 1000 + (seq % 1000), this.world.seed, Tag.objectChange, seq),
      type,
      timestamp: at,
      customer_id: null,
      customer_identifiers: null,
      data,
    };
  }

  /** A new object with the attributes every object carries, all stamped with its creation. */
  private create(t: number, i: number, at: number): void {
    const ids = this.world.objects.identifiers(t, i);
    const singular = this.world.objects.type(t).singular_name;
    const attributes: Record<string, string | null> = {
      country: this.draw.pick(COUNTRIES),
      created_at: String(at),
      employees: String(this.draw.range(1, 50)),
      industry: this.draw.pick(INDUSTRIES),
      name: `${singular} ${i + 1}`,
      object_id: ids.object_id,
      plan: 'free',
    };
    const object = emptyObject(String(t + 1), ids);
    this.push(t, i, at, 'create', { create: { created: at }, attributes }, this.named(object, {}));
  }

  /**
   * One attribute, or (for `several`, and one change in four) two or three, as strings; "" for a
   * value the object lacks before or after (a removed attribute), as for people (§5.3). The
   * identifier attribute `object_id` never changes.
   */
  private attributeEdit(record: ObjectRecord, several: boolean): { effect: Record<string, string | null>; data: Record<string, { from: string; to: string }> } {
    const effect: Record<string, string | null> = {};
    const data: Record<string, { from: string; to: string }> = {};
    const n = several ? this.draw.range(2, 3) : this.draw.chance(0.25) ? 2 : 1;
    for (let tries = 0; Object.keys(effect).length < n && tries < 12; tries++) {
      const [k, to] = this.newValue(record);
      if (k in effect) continue;
      const from = record.attributes[k] ?? '';
      if (from === (to ?? '')) continue;
      effect[k] = to;
      data[k] = { from, to: to ?? '' };
    }
    if (Object.keys(effect).length === 0) {
      const to = record.attributes.tier === 'gold' ? 'silver' : 'gold';
      effect.tier = to;
      data.tier = { from: record.attributes.tier ?? '', to };
    }
    return { effect, data };
  }

  private newValue(record: ObjectRecord): [string, string | null] {
    const a = record.attributes;
    const other = (list: readonly string[], current: string | undefined): string => this.draw.pick(list.filter((x) => x !== current));
    const k = this.draw.weighted([
      ['plan', 3],
      ['employees', 2],
      ['industry', 1],
      ['country', 1],
      ['name', 1],
      ['tier', 2],
      ['remove', 1],
    ] as const);
    switch (k) {
      case 'plan':
        return ['plan', other(PLANS, a.plan)];
      case 'employees':
        return ['employees', String(Math.max(1, Number(a.employees ?? '1') + this.draw.range(-20, 40)))];
      case 'industry':
        return ['industry', other(INDUSTRIES, a.industry)];
      case 'country':
        return ['country', other(COUNTRIES, a.country)];
      case 'name':
        return ['name', `${(a.name ?? 'Object').replace(/ \(renamed \d+\)$/, '')} (renamed ${this.firstSeq + this.changes.length})`];
      case 'tier':
        return ['tier', other(TIERS, a.tier)];
      case 'remove': {
        const removable = ['tier', 'industry'].filter((x) => a[x] !== undefined);
        return removable.length === 0 ? ['tier', 'bronze'] : [this.draw.pick(removable), null];
      }
    }
  }
}
