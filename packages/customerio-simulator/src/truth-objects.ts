import type { ActivityRecord } from './data/activities.js';
import { activityFilter, wholeFeed } from './data/activity-feed.js';
import { typeIndexOf, type ObjectChange } from './data/object-changes.js';
import type { ObjectRecord } from './data/objects.js';
import { isRelationshipActivity } from './data/relationship-changes.js';
import type { World } from './data/world.js';
import type { ActivityQuery, ChangeVisibility } from './truth-people.js';

/** An object named by its type and object_id, as a reader keys it. */
export interface ObjectRef {
  object_type_id: string;
  object_id: string;
}

/** An object deleted between syncs. */
export interface DeletedObject extends ObjectRef {
  cio_object_id: string;
  /** When it went (the delete's time). */
  at: number;
}

/** True for the activity types objects write (`_o:<object_type_id>:…`). */
export function isObjectActivity(type: string): boolean {
  return type.startsWith('_o:');
}

/**
 * Ground truth of objects as changed between syncs (Simulator.changeObjects), for tests:
 * `truth.objectChanges` on the simulator handle. Everything is what the API serves now.
 *
 * - `current(typeId)`: object_id → the `object` GET /v1/objects/{type}/{id}/attributes serves,
 *   for every object of the type that exists, in search order (generated, then created).
 * - `changedSince(t, via = 'any')`: objects that exist now whose attributes changed after `t`
 *   (search order per type, types in order; relationship changes are `truth.relationships`'s). `via: 'activity'` keeps those with at least one change after `t`
 *   whose activity the default feed serves; `'silent'` the others (only re-reading finds them).
 * - `deleted()`: objects deleted, in the order deleted.
 * - `changeLog()`: every change of every batch, relationship changes included, in log (time)
 *   order; `batches()` how many.
 * - `activities(query)`: the object activities (`_o:…`, the relationship ones
 *   `_o:<id>:add_relationship|delete_relationship` included) of the whole feed GET
 *   /v1/activities serves for those filters, in served order (`{deleted: true}` for those of
 *   deleted objects).
 * - `namedInFeedSince(t)`: objects (first-seen order, newest first) that the `_o:` activities of
 *   an object change (create, attribute_change, delete; not the relationship ones) in the default
 *   feed with a timestamp after `t` name in `data`: what an activity-driven object reader hydrates.
 */
export class ObjectsTruth {
  constructor(
    private readonly world: World,
    private readonly now: () => number,
  ) {}

  current(typeId: string): Map<string, ObjectRecord> {
    const t = this.typeIndex(typeId);
    const objects = this.world.objects;
    const out = new Map<string, ObjectRecord>();
    for (let i = 0; i < objects.size(t); i++) if (objects.exists(t, i)) out.set(objects.identifiers(t, i).object_id, objects.current(t, i));
    return out;
  }

  changedSince(since: number, via: ChangeVisibility = 'any'): ObjectRef[] {
    const objects = this.world.objects;
    const cutoff = this.world.activities.cutoff(this.now());
    const found = new Map<string, { t: number; i: number; activity: boolean }>();
    for (const c of objects.changes.entries()) {
      const t = typeIndexOf(c.object_type_id);
      if (c.at <= since || !objects.exists(t, c.i) || c.effect.relationship !== undefined) continue;
      const k = `${t}:${c.i}`;
      const served = c.activity !== null && c.at >= cutoff;
      found.set(k, { t, i: c.i, activity: (found.get(k)?.activity ?? false) || served });
    }
    return [...found.values()]
      .filter((x) => via === 'any' || x.activity === (via === 'activity'))
      .sort((a, b) => a.t - b.t || a.i - b.i)
      .map((x) => ({ object_type_id: String(x.t + 1), object_id: objects.identifiers(x.t, x.i).object_id }));
  }

  deleted(): DeletedObject[] {
    const objects = this.world.objects;
    return objects.changes.departures().map((d) => {
      const ids = objects.identifiers(d.t, d.i);
      return { object_type_id: String(d.t + 1), object_id: ids.object_id, cio_object_id: ids.cio_object_id, at: d.at };
    });
  }

  changeLog(): ObjectChange[] {
    return this.world.objects.changes.entries().map((c) => structuredClone(c));
  }

  batches(): number {
    return this.world.objects.changes.batches;
  }

  activities(query: ActivityQuery = {}): ActivityRecord[] {
    const params = new URLSearchParams();
    for (const [k, value] of Object.entries(query)) if (value !== undefined) params.set(k, String(value));
    return wholeFeed(this.world, this.now(), activityFilter(this.world, params)).filter((a) => isObjectActivity(a.type));
  }

  namedInFeedSince(since: number): ObjectRef[] {
    const named = new Map<string, ObjectRef>();
    for (const a of wholeFeed(this.world, this.now())) {
      if (a.timestamp <= since || !isObjectActivity(a.type) || isRelationshipActivity(a.type)) continue;
      const ref = { object_type_id: String(a.data.object_type_id), object_id: String(a.data.object_id) };
      named.set(`${ref.object_type_id}/${ref.object_id}`, named.get(`${ref.object_type_id}/${ref.object_id}`) ?? ref);
    }
    return [...named.values()];
  }

  private typeIndex(typeId: string): number {
    const t = this.world.objects.typeIndexOfId(typeId);
    if (t < 0) throw new RangeError(`no object type with id ${typeId}`);
    return t;
  }
}
