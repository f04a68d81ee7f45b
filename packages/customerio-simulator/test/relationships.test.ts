import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ObjectRelationshipRecord, Simulator } from '../src/index.js';
import { call, DAY, list, start, walk } from './helpers.js';
import { personOverHttp, relatedOverHttp } from './relationship-helpers.js';

/**
 * Person–object relationships as generated (§5.7, §5.10): both lists over HTTP against the truth,
 * their paging, limits and errors, and the type drift between the two sides. Changes between
 * syncs are in relationship-changes.test.ts.
 */

describe('generated relationships, small scale', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());

  const types = (): string[] => sim.truth.objectTypes().map((t) => t.id);

  test('object side: every object pages to exactly the truth in pages of 3 and of the default; some objects have none, some more than a page', async () => {
    const sizes: number[] = [];
    for (const typeId of types()) {
      for (const [objectId, truth] of sim.truth.relationships.all(typeId)) {
        sizes.push(truth.length);
        expect(sim.truth.relationships.related(typeId, objectId)).toEqual(truth);
        expect(await relatedOverHttp(sim, typeId, objectId, 'limit=3'), `${typeId}/${objectId}`).toEqual(truth);
        expect(await relatedOverHttp(sim, typeId, objectId)).toEqual(truth);
        for (const r of truth) {
          expect(Object.keys(r)).toEqual(['identifiers', 'object_type_id', 'object_type_disabled']);
          expect(Object.keys(r.identifiers)).toEqual(['cio_id', 'id', 'email']);
          expect(r.object_type_id).toBe(typeId);
          expect(r.object_type_disabled).toBe(false);
        }
        // The people listed are distinct and have profiles.
        expect(new Set(truth.map((r) => r.identifiers.cio_id)).size).toBe(truth.length);
        for (const r of truth) expect(sim.truth.people.current().has(r.identifiers.cio_id)).toBe(true);
      }
    }
    expect(sizes.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(sizes.filter((n) => n > 10).length).toBeGreaterThan(0);
    expect(sizes.filter((n) => n >= 1 && n <= 5).length).toBeGreaterThan(sizes.length / 2);
  });

  test('an object without relationships answers cio_relationships null and next ""; by cio_object_id as by object_id', async () => {
    const typeId = types().find((id) => [...sim.truth.relationships.all(id).values()].some((r) => r.length > 10)) ?? '1';
    const all = sim.truth.relationships.all(typeId);
    const objects = sim.truth.objects(typeId);
    const empty = objects.find((o) => all.get(o.identifiers.object_id)?.length === 0);
    const full = objects.find((o) => (all.get(o.identifiers.object_id)?.length ?? 0) > 10);
    expect((await call(sim, `/v1/objects/${typeId}/${empty?.identifiers.object_id}/relationships`)).text).toBe('{"cio_relationships":null,"next":""}');
    for (const o of [empty, full]) {
      const byId = await call(sim, `/v1/objects/${typeId}/${o?.identifiers.object_id}/relationships?limit=1000`);
      const byCio = await call(sim, `/v1/objects/${typeId}/${o?.identifiers.cio_object_id}/relationships?limit=1000&id_type=cio_object_id`);
      expect(byCio.text).toBe(byId.text);
    }
  });

  test('limit: default 10, clamped at 1000, 0 or junk is 400; a mangled start is 400; pages of 1 walk to the truth', async () => {
    const typeId = types().find((id) => [...sim.truth.relationships.all(id).values()].some((r) => r.length > 10)) ?? '1';
    const [objectId, truth] = [...sim.truth.relationships.all(typeId)].find(([, r]) => r.length > 10) ?? ['', []];
    const base = `/v1/objects/${typeId}/${objectId}/relationships`;
    const first = await call<{ cio_relationships: ObjectRelationshipRecord[]; next: string }>(sim, base);
    expect(Object.keys(first.json)).toEqual(['cio_relationships', 'next']);
    expect(first.json.cio_relationships).toEqual(truth.slice(0, 10));
    expect(first.json.next).not.toBe('');
    const clamped = await call<{ cio_relationships: ObjectRelationshipRecord[]; next: string }>(sim, `${base}?limit=5000`);
    expect(clamped.json).toEqual({ cio_relationships: truth, next: '' });
    for (const q of ['limit=0', 'limit=-1', 'limit=ten', 'start=%25%25', 'start=MTAwMA']) expect((await call(sim, `${base}?${q}`)).status, q).toBe(400);
    const ones = await walk(sim, `${base}?limit=1`, list('cio_relationships'));
    expect(ones.records).toEqual(truth);
    expect(ones.pages).toBe(truth.length);
  });

  test('404 for an unknown type or object, an object of another type or an id under the other id_type; 400 for a bad id_type', async () => {
    const o = sim.truth.objects('1')[0];
    expect((await call(sim, '/v1/objects/1/co9999/relationships')).status).toBe(404);
    expect((await call(sim, `/v1/objects/9/${o?.identifiers.object_id}/relationships`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/0/${o?.identifiers.object_id}/relationships`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/2/${o?.identifiers.object_id}/relationships`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/1/${o?.identifiers.cio_object_id}/relationships`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/1/${o?.identifiers.object_id}/relationships?id_type=cio_object_id`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/1/${o?.identifiers.object_id}/relationships?id_type=email`)).status).toBe(400);
    expect((await call(sim, `/v1/objects/1/${o?.identifiers.object_id}/relationships`, { body: {} })).status).toBe(404);
  });

  test('person side: object_type_id an integer, the object identifiers, relationship attributes with timestamps; the two sides agree', async () => {
    // The object side, turned around: cio_id → [type, object_id] in served order of types and objects.
    const expected = new Map<string, [number, string][]>();
    for (const typeId of types()) {
      for (const [objectId, people] of sim.truth.relationships.all(typeId)) {
        for (const r of people) expected.set(r.identifiers.cio_id, [...(expected.get(r.identifiers.cio_id) ?? []), [Number(typeId), objectId]]);
      }
    }
    let withAttributes = 0;
    let without = 0;
    let several = 0;
    for (const cio of sim.truth.peopleCioIds()) {
      const truth = sim.truth.relationships.ofPerson(cio) ?? [];
      expect(truth.map((r) => [r.object_type_id, r.identifiers.object_id])).toEqual(expected.get(cio) ?? []);
      if (truth.length >= 2) several++;
      for (const r of truth) {
        expect(Object.keys(r)).toEqual(['object_type_id', 'identifiers', 'attributes', 'timestamps']);
        expect(typeof r.object_type_id).toBe('number');
        expect(Object.keys(r.identifiers)).toEqual(['object_id', 'cio_object_id']);
        expect(Object.keys(r.timestamps)).toEqual(Object.keys(r.attributes));
        for (const v of Object.values(r.attributes)) expect(typeof v).toBe('string');
        for (const at of Object.values(r.timestamps)) expect(Number.isInteger(at) && at < sim.now()).toBe(true);
        if (Object.keys(r.attributes).length > 0) withAttributes++;
        else without++;
        expect(sim.truth.objects(String(r.object_type_id)).find((o) => o.identifiers.object_id === r.identifiers.object_id)?.identifiers).toEqual(
          r.identifiers,
        );
      }
    }
    expect(withAttributes).toBeGreaterThan(0);
    expect(without).toBeGreaterThan(0);
    expect(several).toBeGreaterThan(0);
    // Over HTTP, for a sample: by cio_id (with and without the cio_ prefix), id and email; pages of 1.
    const sample = [...expected.keys()].filter((_, k) => k % 9 === 0);
    for (const cio of sample) {
      const truth = sim.truth.relationships.ofPerson(cio);
      const customer = sim.truth.people.current().get(cio);
      const record = customer !== undefined && 'customer' in customer ? customer.customer : customer;
      expect(await personOverHttp(sim, cio)).toEqual(truth);
      expect(await personOverHttp(sim, `cio_${cio}`, 'id_type=cio_id&limit=1')).toEqual(truth);
      if (record?.id) expect(await personOverHttp(sim, record.id, '')).toEqual(truth);
      if (record?.identifiers.email) expect(await personOverHttp(sim, record.identifiers.email, 'id_type=email')).toEqual(truth);
    }
  });

  test('person side: 404 for nobody; 400 for a bad id_type; a person without relationships gets null', async () => {
    expect((await call(sim, '/v1/customers/nobody/relationships')).status).toBe(404);
    expect((await call(sim, '/v1/customers/ffffffff/relationships?id_type=cio_id')).status).toBe(404);
    expect((await call(sim, '/v1/customers/user_1/relationships?id_type=phone')).status).toBe(400);
    const lonely = [...sim.truth.peopleCioIds()].find((cio) => sim.truth.relationships.ofPerson(cio)?.length === 0);
    expect((await call(sim, `/v1/customers/${lonely}/relationships?id_type=cio_id`)).text).toBe('{"cio_relationships":null,"next":""}');
    expect(sim.truth.relationships.ofPerson('ffffffff')).toBeUndefined();
    expect(sim.truth.relationships.related('1', 'co9999')).toBeUndefined();
    expect(() => sim.truth.relationships.related('9', 'co1000')).toThrow(RangeError);
  });
});

test('medium scale: objects with more people than a default page of 10, paged to the truth', async () => {
  const sim = await start({ scale: 'medium', backend: 'inline' });
  try {
    let big = 0;
    for (const type of sim.truth.objectTypes()) {
      for (const [objectId, truth] of sim.truth.relationships.all(type.id)) {
        if (truth.length <= 10) continue;
        big++;
        if (big % 5 === 1) expect(await relatedOverHttp(sim, type.id, objectId)).toEqual(truth);
      }
    }
    expect(big).toBeGreaterThan(10);
  } finally {
    await sim.close();
  }
});

test('the same seed and scale relate the same people; another seed others', async () => {
  const [a, b, c] = await Promise.all([start({ backend: 'inline' }), start({ backend: 'inline' }), start({ backend: 'inline', seed: 2 })]);
  try {
    expect([...b.truth.relationships.all('1')]).toEqual([...a.truth.relationships.all('1')]);
    expect([...c.truth.relationships.all('1')]).not.toEqual([...a.truth.relationships.all('1')]);
    const day = DAY;
    a.advance(day);
    // The clock alone changes nothing.
    expect([...a.truth.relationships.all('1')]).toEqual([...b.truth.relationships.all('1')]);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});
