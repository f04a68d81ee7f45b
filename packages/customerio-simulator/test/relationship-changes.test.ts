import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  isRelationshipActivity,
  type ActivityRecord,
  type ObjectChange,
  type ObjectRelationshipRecord,
  type PersonRelationshipRecord,
  type Simulator,
} from '../src/index.js';
import { call, DAY, list, NOW, start, walk } from './helpers.js';
import { personOverHttp, relatedOverHttp } from './relationship-helpers.js';

/**
 * Relationships changed between two syncs by the relationship kinds of Simulator.changeObjects:
 * both lists over HTTP against the truth and against the changes themselves, the activities each
 * change writes (or, silent, does not), and what a person's or an object's departure does.
 */

async function feed(sim: Simulator, query = '', limit = 100): Promise<ActivityRecord[]> {
  return (await walk<ActivityRecord>(sim, `/v1/activities?limit=${limit}${query}`, list('activities'))).records;
}

const typeIds = (sim: Simulator): string[] => sim.truth.objectTypes().map((t) => t.id);
const RELATIONSHIPS_ONLY = { add_relationship: 3, delete_relationship: 2, relationship_attribute_change: 3, silent_relationship: 2 };

/** Every object's list and every person's, as the truth has them now. */
function snapshot(sim: Simulator): { objects: Map<string, ObjectRelationshipRecord[]>; people: Map<string, PersonRelationshipRecord[]> } {
  const objects = new Map<string, ObjectRelationshipRecord[]>();
  for (const id of typeIds(sim)) for (const [oid, list] of sim.truth.relationships.all(id)) objects.set(`${id}/${oid}`, list);
  const people = new Map<string, PersonRelationshipRecord[]>();
  for (const cio of sim.truth.peopleCioIds()) people.set(cio, sim.truth.relationships.ofPerson(cio) ?? []);
  return { objects, people };
}

describe('a default object change batch, one day after the initial clock', () => {
  let sim: Simulator;
  let log: ObjectChange[];
  let rel: ObjectChange[];
  let before: ReturnType<typeof snapshot>;
  beforeAll(async () => {
    sim = await start();
    sim.advance(DAY);
    before = snapshot(sim);
    log = sim.changeObjects().changes;
    rel = log.filter((c) => c.effect.relationship !== undefined);
  });
  afterAll(() => sim.close());

  const loud = (kind: ObjectChange['kind']): ObjectChange[] => rel.filter((c) => c.kind === kind && c.activity !== null);
  const silent = (): ObjectChange[] => rel.filter((c) => c.activity === null);
  const cioOf = (c: ObjectChange): string => c.effect.relationship?.cio_id ?? '';

  test('the relationship kinds of the default counts, in log order among the object changes; an added relationship then changed', () => {
    expect(loud('add_relationship')).toHaveLength(3);
    expect(loud('delete_relationship')).toHaveLength(2);
    expect(loud('relationship_attribute_change')).toHaveLength(3);
    expect(silent()).toHaveLength(2);
    for (const c of silent()) expect(c.personActivity ?? null).toBeNull();
    expect(log.some((c) => c.effect.relationship === undefined)).toBe(true);
    const first = loud('add_relationship')[0] as ObjectChange;
    const after = rel.find((c) => c.seq > first.seq && c.i === first.i && c.object_type_id === first.object_type_id && cioOf(c) === cioOf(first));
    expect(after?.kind).toBe('relationship_attribute_change');
    for (const c of rel) expect(c.at > NOW && c.at <= NOW + DAY).toBe(true);
    expect(sim.truth.objectChanges.changeLog()).toEqual(log);
  });

  test('both sides equal the truth over HTTP, and each change is what the lists show', async () => {
    for (const id of typeIds(sim)) {
      for (const [oid, truth] of sim.truth.relationships.all(id)) expect(await relatedOverHttp(sim, id, oid, 'limit=4'), `${id}/${oid}`).toEqual(truth);
    }
    const last = (c: ObjectChange): boolean => !rel.some((d) => d.seq > c.seq && d.i === c.i && d.object_type_id === c.object_type_id && cioOf(d) === cioOf(c));
    for (const c of rel) {
      const people = (sim.truth.relationships.related(c.object_type_id, c.object_id) ?? []).map((r) => r.identifiers.cio_id);
      const mine = (await personOverHttp(sim, cioOf(c))).find((r) => r.object_type_id === Number(c.object_type_id) && r.identifiers.object_id === c.object_id);
      expect(await personOverHttp(sim, cioOf(c))).toEqual(sim.truth.relationships.ofPerson(cioOf(c)));
      if (c.kind === 'delete_relationship') {
        expect(people).not.toContain(cioOf(c));
        expect(mine).toBeUndefined();
        expect(before.objects.get(`${c.object_type_id}/${c.object_id}`)?.map((r) => r.identifiers.cio_id)).toContain(cioOf(c));
        continue;
      }
      expect(people).toContain(cioOf(c));
      if (c.kind === 'add_relationship') {
        if (last(c)) expect(mine?.attributes).toEqual(c.effect.relationship?.attributes);
        // A new relationship comes after the generated ones.
        expect(people[people.length - 1]).toBe(cioOf(c));
        expect(before.objects.get(`${c.object_type_id}/${c.object_id}`)?.map((r) => r.identifiers.cio_id)).not.toContain(cioOf(c));
        continue;
      }
      for (const [key, to] of Object.entries(c.effect.relationship?.attributes ?? {})) {
        expect(mine?.attributes[key]).toBe(to ?? undefined);
        expect(mine?.timestamps[key]).toBe(to === null ? undefined : c.at);
      }
    }
  });

  test('activities: add and delete write _o:<id>:<kind> with no person and the cio_id in data, and <kind> on the person; an attribute change writes _r:<id>:attribute_change', () => {
    for (const c of rel.filter((x) => x.activity !== null)) {
      const a = c.activity as ActivityRecord;
      expect(Object.keys(a)).toEqual(['id', 'type', 'timestamp', 'customer_id', 'customer_identifiers', 'data']);
      expect(a.timestamp).toBe(c.at);
      const person = sim.truth.people.current().get(cioOf(c));
      const who = person !== undefined && 'customer' in person ? person.customer.identifiers : person?.identifiers;
      if (c.kind === 'relationship_attribute_change') {
        expect(a.type).toBe(`_r:${c.object_type_id}:attribute_change`);
        expect(a.customer_identifiers).toEqual({ cio_id: who?.cio_id, email: who?.email, id: who?.id });
        expect([null, who?.id]).toContain(a.customer_id);
        const { object_type_id, object_id, ...rest } = a.data;
        expect([object_type_id, object_id]).toEqual([c.object_type_id, c.object_id]);
        expect(Object.keys(rest)).toEqual(Object.keys(c.effect.relationship?.attributes ?? {}));
        for (const [key, change] of Object.entries(rest as Record<string, { from: string; to: string }>)) {
          expect(change.to).toBe(c.effect.relationship?.attributes?.[key] ?? '');
          expect(change.from).not.toBe(change.to);
        }
        expect(c.personActivity).toBeUndefined();
        continue;
      }
      expect(a.type).toBe(`_o:${c.object_type_id}:${c.kind}`);
      expect(a.customer_id).toBeNull();
      expect(a.customer_identifiers).toBeNull();
      expect(a.data).toEqual({ object_type_id: c.object_type_id, object_id: c.object_id, cio_id: cioOf(c) });
      const p = c.personActivity as ActivityRecord;
      expect(Object.keys(p)).toEqual(['id', 'type', 'timestamp', 'customer_id', 'customer_identifiers', 'data']);
      expect(p.type).toBe(c.kind);
      expect(p.timestamp).toBe(c.at);
      expect(p.customer_identifiers).toEqual({ cio_id: who?.cio_id, email: who?.email, id: who?.id });
      expect(p.data).toEqual({ object_type_id: c.object_type_id, object_id: c.object_id });
      expect(p.id).not.toBe(a.id);
    }
  });

  test('each relationship activity type is filterable by its exact string; the silent changes write nothing', async () => {
    const written = rel.flatMap((c) => [c.activity, c.personActivity].filter((a): a is ActivityRecord => a !== null && a !== undefined));
    const types = [...new Set(written.map((a) => a.type))];
    expect(types).toEqual(expect.arrayContaining(['add_relationship', 'delete_relationship']));
    expect(types.some((t) => t.startsWith('_r:'))).toBe(true);
    for (const type of types) {
      const served = await feed(sim, `&type=${encodeURIComponent(type)}`);
      expect(served, type).toEqual(written.filter((a) => a.type === type).sort((x, y) => y.timestamp - x.timestamp || written.indexOf(y) - written.indexOf(x)));
      expect(served).toEqual(sim.truth.relationships.activities({ type }));
    }
    for (const type of ['relationship_attribute_change', '_o:1:add', '_r:1', 'attribute_change']) {
      expect(
        (await feed(sim, `&type=${type}`)).some((a) => written.includes(a)),
        type,
      ).toBe(false);
    }
    const all = await feed(sim);
    expect(all.filter((a) => written.some((w) => w.id === a.id))).toEqual(sim.truth.relationships.activities());
    for (const c of silent()) {
      const named = all.filter((a) => a.data.object_id === c.object_id && a.data.object_type_id === c.object_type_id);
      expect(named, `${c.object_type_id}/${c.object_id}`).toEqual([]);
    }
  });

  test('a customer_id filter finds the activities on the person, never the _o: ones', async () => {
    for (const c of loud('add_relationship')) {
      const mine = await feed(sim, `&customer_id=${cioOf(c)}&id_type=cio_id`);
      expect(mine).toContainEqual(c.personActivity);
      expect(mine).not.toContainEqual(c.activity);
    }
    const r = loud('relationship_attribute_change')[0] as ObjectChange;
    expect(await feed(sim, `&customer_id=cio_${cioOf(r)}&id_type=cio_id`)).toContainEqual(r.activity);
  });

  test('changedSince tells the objects a feed reader finds from the silent ones; every list that moved is one it names', () => {
    const key = (r: { object_type_id: string; object_id: string }): string => `${r.object_type_id}/${r.object_id}`;
    const any = sim.truth.relationships.changedSince(NOW).map(key);
    const viaActivity = sim.truth.relationships.changedSince(NOW, 'activity').map(key);
    const viaSilence = sim.truth.relationships.changedSince(NOW, 'silent').map(key);
    expect(viaActivity.filter((k) => viaSilence.includes(k))).toEqual([]);
    expect([...viaActivity, ...viaSilence].sort()).toEqual([...any].sort());
    expect([...new Set(rel.filter((c) => c.activity !== null).map(key))].sort()).toEqual([...viaActivity].sort());
    for (const c of silent()) expect(viaSilence).toContain(key(c));
    expect(sim.truth.relationships.changedSince(NOW + DAY)).toEqual([]);
    const after = snapshot(sim);
    const moved = new Set<string>();
    for (const [k, list] of after.objects) if (JSON.stringify(list) !== JSON.stringify(before.objects.get(k) ?? [])) moved.add(k);
    for (const [cio, list] of after.people) {
      const was = before.people.get(cio) ?? [];
      for (const r of list) {
        const old = was.find((x) => x.object_type_id === r.object_type_id && x.identifiers.object_id === r.identifiers.object_id);
        if (JSON.stringify(old) !== JSON.stringify(r)) moved.add(`${r.object_type_id}/${r.identifiers.object_id}`);
      }
    }
    expect(moved.size).toBeGreaterThan(5);
    for (const k of moved) expect(any).toContain(k);
    // The object changes' own truth leaves relationship changes out.
    const objectsOnly = sim.truth.objectChanges.changedSince(NOW).map(key);
    for (const c of rel) if (!log.some((d) => d.effect.relationship === undefined && key(d) === key(c))) expect(objectsOnly).not.toContain(key(c));
  });
});

describe('people and objects leave and take their relationships', () => {
  let sim: Simulator;
  let adds: ObjectChange[];
  let gone: string[];
  let deletedObjects: ObjectChange[];
  let mark: number;
  beforeAll(async () => {
    sim = await start();
    sim.advance(DAY);
    // Many relationships added (one per object), so people and objects removed later hit some.
    adds = sim.changeObjects({ counts: { add_relationship: 40 }, seed: 3 }).changes;
    mark = sim.now();
    sim.advance(600);
    sim.changePeople({ counts: { profile_delete: 40, profile_merge: 10 }, seed: 4 });
    gone = sim.truth.people.gone().map((g) => g.cio_id);
    sim.advance(600);
    deletedObjects = sim.changeObjects({ counts: { delete: 20 }, seed: 5 }).changes;
  });
  afterAll(() => sim.close());

  test('people deleted or merged away are in no list; their own list answers 404; the lists they left are silent changes', async () => {
    const left = new Set<string>();
    for (const id of typeIds(sim)) {
      for (const [oid, list] of sim.truth.relationships.all(id)) {
        const served = await relatedOverHttp(sim, id, oid);
        expect(served).toEqual(list);
        for (const r of served) expect(gone).not.toContain(r.identifiers.cio_id);
      }
    }
    for (const cio of gone) {
      expect((await call(sim, `/v1/customers/${cio}/relationships?id_type=cio_id`)).status).toBe(404);
      expect(sim.truth.relationships.ofPerson(cio)).toBeUndefined();
      for (const c of adds) if (c.effect.relationship?.cio_id === cio) left.add(`${c.object_type_id}/${c.object_id}`);
    }
    const silentSince = sim.truth.relationships.changedSince(mark, 'silent').map((r) => `${r.object_type_id}/${r.object_id}`);
    const deleted = new Set(deletedObjects.map((c) => `${c.object_type_id}/${c.object_id}`));
    const still = [...left].filter((k) => !deleted.has(k));
    expect(still.length).toBeGreaterThan(0);
    for (const k of still) expect(silentSince).toContain(k);
  });

  test('relationship activities of a person or an object that went are served only with deleted=true', async () => {
    const visible = await feed(sim);
    const hidden = await feed(sim, '&deleted=true');
    expect(hidden.filter((a) => isRelationshipActivity(a.type))).toEqual(sim.truth.relationships.activities({ deleted: true }));
    expect(visible.filter((a) => isRelationshipActivity(a.type))).toEqual(sim.truth.relationships.activities());
    let byPerson = 0;
    let byObject = 0;
    for (const c of adds) {
      const personGone = gone.includes(c.effect.relationship?.cio_id ?? '');
      const objectGone = deletedObjects.some((d) => d.object_type_id === c.object_type_id && d.i === c.i);
      for (const a of [c.activity, c.personActivity]) {
        expect(hidden.some((x) => x.id === a?.id)).toBe(personGone || objectGone);
        expect(visible.some((x) => x.id === a?.id)).toBe(!(personGone || objectGone));
      }
      if (personGone) byPerson++;
      if (objectGone) byObject++;
    }
    expect(byPerson).toBeGreaterThan(0);
    expect(byObject).toBeGreaterThan(0);
  });

  test('a deleted object: its list answers 404 by either id_type, it leaves its people’s lists, and the delete writes no relationship activity', async () => {
    let hadPeople = 0;
    for (const c of deletedObjects) {
      expect((await call(sim, `/v1/objects/${c.object_type_id}/${c.object_id}/relationships`)).status).toBe(404);
      expect((await call(sim, `/v1/objects/${c.object_type_id}/${c.cio_object_id}/relationships?id_type=cio_object_id`)).status).toBe(404);
      expect(sim.truth.relationships.related(c.object_type_id, c.object_id)).toBeUndefined();
      for (const cio of sim.truth.peopleCioIds()) {
        const list = sim.truth.relationships.ofPerson(cio) ?? [];
        expect(list.some((r) => r.object_type_id === Number(c.object_type_id) && r.identifiers.object_id === c.object_id)).toBe(false);
      }
      if (adds.some((a) => a.object_type_id === c.object_type_id && a.i === c.i)) hadPeople++;
      expect(c.kind).toBe('delete');
      expect(c.activity?.type).toBe(`_o:${c.object_type_id}:delete`);
    }
    expect(hadPeople).toBeGreaterThan(0);
    const since = await feed(sim, '&deleted=true');
    expect(since.filter((a) => a.timestamp > mark + 600 && /relationship|^_r:/.test(a.type))).toEqual([]);
  });
});

describe('batches over both backends', () => {
  const run = async (backend: 'inline' | 'worker'): Promise<Simulator> => {
    const sim = await start({ backend });
    sim.advance(DAY);
    sim.changeObjects({ seed: 6 });
    sim.advance(600);
    sim.changePeople({ counts: { profile_delete: 20, profile_merge: 5, attribute_change: 10 }, seed: 7 });
    sim.advance(600);
    sim.changeObjects({ counts: { ...RELATIONSHIPS_ONLY, delete: 4, add_relationship: 12 } });
    return sim;
  };

  test('an inline backend answers exactly as the worker does after the same batches', async () => {
    const [worker, inline] = await Promise.all([run('worker'), run('inline')]);
    try {
      const bodies = async (sim: Simulator): Promise<unknown[]> => {
        const out: unknown[] = [await feed(sim), await feed(sim, '&deleted=true')];
        for (const id of typeIds(sim)) for (const oid of sim.truth.relationships.all(id).keys()) out.push(await relatedOverHttp(sim, id, oid, 'limit=7'));
        for (const c of sim.truth.objectChanges.changeLog()) {
          const cio = c.effect.relationship?.cio_id;
          if (cio !== undefined) out.push((await call(sim, `/v1/customers/${cio}/relationships?id_type=cio_id`)).text);
        }
        return out;
      };
      const a = await bodies(inline);
      expect(a.length).toBeGreaterThan(50);
      expect(a).toEqual(await bodies(worker));
    } finally {
      await Promise.all([worker.close(), inline.close()]);
    }
  });

  test('POST /__sim/change-objects takes the relationship counts as body or query; an unknown one is a 400 naming them', async () => {
    const sim = await start();
    try {
      const post = async (query: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
        const res = await fetch(`${sim.url}/__sim/change-objects${query}`, { method: 'POST', ...(body === undefined ? {} : { body }) });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      const byQuery = await post('?add_relationship=2&relationship_attribute_change=1&seed=4');
      expect(byQuery.status).toBe(200);
      expect((byQuery.json.changes as ObjectChange[]).map((c) => c.kind).sort()).toEqual([
        'add_relationship',
        'add_relationship',
        'relationship_attribute_change',
      ]);
      const byBody = await post('', JSON.stringify({ counts: { delete_relationship: 1, silent_relationship: 1 } }));
      expect((byBody.json.changes as ObjectChange[]).length).toBe(2);
      const bad = await post('?relationships=1');
      expect(bad.status).toBe(400);
      expect((bad.json as { errors: { detail: string }[] }).errors[0]?.detail).toMatch(
        /add_relationship, delete_relationship, relationship_attribute_change, silent_relationship/,
      );
      for (const c of byQuery.json.changes as ObjectChange[]) {
        expect(await relatedOverHttp(sim, c.object_type_id, c.object_id)).toEqual(sim.truth.relationships.related(c.object_type_id, c.object_id));
      }
    } finally {
      await sim.close();
    }
  });
});
