import type { ActivityRecord } from './data/activities.js';
import { activityFilter, wholeFeed } from './data/activity-feed.js';
import { typeIndexOf } from './data/object-changes.js';
import { isRelationshipActivity } from './data/relationship-changes.js';
import type { ObjectRelationshipRecord, PersonRelationshipRecord } from './data/relationships.js';
import type { World } from './data/world.js';
import type { ObjectRef } from './truth-objects.js';
import type { ActivityQuery, ChangeVisibility } from './truth-people.js';

/**
 * Ground truth of person–object relationships, generated and as changed between syncs
 * (Simulator.changeObjects' relationship kinds), for tests: `truth.relationships` on the
 * simulator handle. Everything is what the API serves now.
 *
 * - `related(typeId, objectId)`: the items GET /v1/objects/{type}/{object_id}/relationships
 *   serves (the people related to the object), whole, in served order; undefined for an object
 *   that does not exist (the endpoint's 404). Throws a RangeError for an unknown type.
 * - `ofPerson(cioId)`: the items GET /v1/customers/{id}/relationships serves (the person's
 *   objects with the relationship's attributes), whole, in served order; undefined for a person
 *   without a profile (404).
 * - `all(typeId)`: object_id → `related(...)` for every object of the type that exists, in
 *   search order, objects without relationships included (an empty list; the API serves null).
 * - `changedSince(t, via = 'any')`: objects that exist now whose relationships changed after `t`
 *   (by type, then object index): a relationship added or removed, a relationship attribute
 *   changed, a related person deleted or merged away (they leave the list), or a related
 *   person's email changed (the list's identifiers change). `via: 'activity'` keeps those with at
 *   least one relationship change after `t` whose activity (either side) the default feed serves
 *   now; `'silent'` the others, which only re-reading the lists finds (a person's departure or
 *   email change writes no relationship activity).
 * - `activities(query)`: the relationship activities (`add_relationship`, `delete_relationship`,
 *   `_o:<id>:add_relationship`, `_o:<id>:delete_relationship`, `_r:<id>:attribute_change`) of the
 *   whole feed GET /v1/activities serves for those filters, in served order.
 */
export class RelationshipsTruth {
  constructor(
    private readonly world: World,
    private readonly now: () => number,
  ) {}

  related(typeId: string, objectId: string): ObjectRelationshipRecord[] | undefined {
    const t = this.typeIndex(typeId);
    const i = this.world.objects.indexOfObjectId(t, objectId);
    if (!this.world.objects.exists(t, i)) return undefined;
    return this.world.relationships.related(t, i).map((p) => this.world.relationships.objectSideRecord(t, p));
  }

  ofPerson(cioId: string): PersonRelationshipRecord[] | undefined {
    const p = this.world.people.indexOfCioId(cioId.startsWith('cio_') ? cioId.slice(4) : cioId);
    if (p < 0) return undefined;
    return this.world.relationships.objectsOf(p).map((o) => this.world.relationships.personSideRecord(o.t, o.i, p));
  }

  all(typeId: string): Map<string, ObjectRelationshipRecord[]> {
    const t = this.typeIndex(typeId);
    const objects = this.world.objects;
    const out = new Map<string, ObjectRelationshipRecord[]>();
    for (let i = 0; i < objects.size(t); i++) {
      if (!objects.exists(t, i)) continue;
      out.set(
        objects.identifiers(t, i).object_id,
        this.world.relationships.related(t, i).map((p) => this.world.relationships.objectSideRecord(t, p)),
      );
    }
    return out;
  }

  changedSince(since: number, via: ChangeVisibility = 'any'): ObjectRef[] {
    const { objects, people, relationships } = this.world;
    const cutoff = this.world.activities.cutoff(this.now());
    const found = new Map<string, { t: number; i: number; activity: boolean }>();
    const mark = (t: number, i: number, activity: boolean): void => {
      const k = `${t}:${i}`;
      found.set(k, { t, i, activity: (found.get(k)?.activity ?? false) || activity });
    };
    for (const c of objects.changes.relationships.entries()) {
      const p = c.effect.relationship?.p ?? -1;
      if (c.at <= since) continue;
      // The default feed serves a relationship activity while its object and its person are there.
      const served = (c.activity !== null || (c.personActivity ?? null) !== null) && c.at >= cutoff && people.changes.departure(p) === undefined;
      mark(typeIndexOf(c.object_type_id), c.i, served);
    }
    for (const [p, d] of people.changes.departures()) {
      if (d.at > since) for (const o of relationships.objectsOf(p, true)) mark(o.t, o.i, false);
    }
    for (const c of people.changes.entries()) {
      if (c.at > since && c.effect.attributes?.email !== undefined && people.exists(c.p)) for (const o of relationships.objectsOf(c.p)) mark(o.t, o.i, false);
    }
    return [...found.values()]
      .filter((x) => objects.exists(x.t, x.i) && (via === 'any' || x.activity === (via === 'activity')))
      .sort((a, b) => a.t - b.t || a.i - b.i)
      .map((x) => ({ object_type_id: String(x.t + 1), object_id: objects.identifiers(x.t, x.i).object_id }));
  }

  activities(query: ActivityQuery = {}): ActivityRecord[] {
    const params = new URLSearchParams();
    for (const [k, value] of Object.entries(query)) if (value !== undefined) params.set(k, String(value));
    return wholeFeed(this.world, this.now(), activityFilter(this.world, params)).filter((a) => isRelationshipActivity(a.type));
  }

  private typeIndex(typeId: string): number {
    const t = this.world.objects.typeIndexOfId(typeId);
    if (t < 0) throw new RangeError(`no object type with id ${typeId}`);
    return t;
  }
}
