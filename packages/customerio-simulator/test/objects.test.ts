import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ObjectIdentifiers, ObjectRecord, ObjectTypeRecord, Simulator } from '../src/index.js';
import { call, expectNoDuplicates, start, walk } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

/** The match-all body the tap sends (S3). */
const everyObject = (typeId: string) => ({
  object_type_id: typeId,
  filter: { and: [{ object_attribute: { field: 'object_id', operator: 'exists', type_id: typeId } }] },
});

interface SearchPage {
  identifiers: ObjectIdentifiers[] | null;
  ids: string[] | null;
  next: string;
}

describe('GET /v1/object_types', () => {
  test('string ids "1".."n", equal to the truth', async () => {
    const res = await call<{ types: ObjectTypeRecord[] }>(sim, '/v1/object_types');
    expect(Object.keys(res.json)).toEqual(['types']);
    expect(res.json.types).toEqual(sim.truth.objectTypes());
    expect(res.json.types.map((t) => t.id)).toEqual(['1', '2']);
  });
});

describe('POST /v1/objects', () => {
  test("every type walks to all its objects; repeats are the previous page's last object", async () => {
    let repeats = 0;
    for (const type of sim.truth.objectTypes()) {
      const seen: ObjectIdentifiers[] = [];
      const w = await walk<ObjectIdentifiers>(
        sim,
        '/v1/objects?limit=4',
        (page) => {
          const p = page as unknown as SearchPage;
          expect(p.ids).toEqual(p.identifiers?.map((i) => i.object_id) ?? null);
          if (p.identifiers !== null && seen.length > 0 && p.identifiers[0]?.object_id === seen[seen.length - 1]?.object_id) repeats++;
          seen.push(...(p.identifiers ?? []));
          return p.identifiers;
        },
        { body: everyObject(type.id) },
      );
      const truth = sim.truth.objects(type.id).map((o) => o.identifiers);
      const distinct = [...new Map(w.records.map((r) => [r.object_id, r])).values()];
      expect(distinct).toEqual(truth);
      expect(w.records.length).toBeGreaterThanOrEqual(truth.length);
      // Only the documented duplicates: each repeat directly follows its first occurrence.
      for (let i = 1; i < w.records.length; i++) {
        const r = w.records[i];
        if (w.records.slice(0, i).some((x) => x.object_id === r?.object_id)) expect(w.records[i - 1]).toEqual(r);
      }
    }
    expect(repeats).toBeGreaterThan(0);
  });

  test('an eq filter narrows the search; not(exists) finds nothing; default page is 10', async () => {
    const truth = sim.truth.objects('1');
    const industry = truth[0]?.attributes['industry'] ?? '';
    const body = { object_type_id: '1', filter: { object_attribute: { field: 'industry', operator: 'eq', value: industry, type_id: '1' } } };
    const w = await walk<ObjectIdentifiers>(sim, '/v1/objects?limit=50', (p) => p.identifiers as ObjectIdentifiers[] | null, { body });
    const distinct = [...new Set(w.records.map((r) => r.object_id))];
    expect(distinct).toEqual(truth.filter((o) => o.attributes['industry'] === industry).map((o) => o.identifiers.object_id));
    const none = { object_type_id: 1, filter: { not: { object_attribute: { field: 'name', operator: 'exists', type_id: 1 } } } };
    expect((await call(sim, '/v1/objects', { body: none })).text).toBe('{"identifiers":null,"ids":null,"next":""}');
    const page = await call<SearchPage>(sim, '/v1/objects', { body: everyObject('2') });
    expect(page.json.identifiers).toHaveLength(10);
    expect(page.json.next).not.toBe('');
  });

  test('400 without object_type_id or filter, for a malformed filter or body; 404 for an unknown type', async () => {
    const leaf = { object_attribute: { field: 'object_id', operator: 'exists', type_id: '1' } };
    const bad = [
      { filter: leaf },
      { object_type_id: '1' },
      { object_type_id: '1', filter: { object_attribute: { field: 'object_id', operator: 'exists' } } },
      { object_type_id: '1', filter: { object_attribute: { field: 'x', operator: 'gt', type_id: '1' } } },
      { object_type_id: '1', filter: { and: [] } },
      { object_type_id: '1', filter: { segment: { id: 1 } } },
      'not json',
    ];
    for (const body of bad) expect((await call(sim, '/v1/objects', { body })).status, JSON.stringify(body)).toBe(400);
    expect((await call(sim, '/v1/objects', { body: { object_type_id: '9', filter: leaf } })).status).toBe(404);
    expect((await call(sim, '/v1/objects?start=%%%', { body: everyObject('1') })).status).toBe(400);
  });
});

describe('GET /v1/objects/{type}/{object_id}/attributes', () => {
  test('by object_id (default) and by cio_object_id, equal to the truth, string attribute values', async () => {
    for (const type of sim.truth.objectTypes()) {
      const objects = sim.truth.objects(type.id);
      expectNoDuplicates(objects.map((o) => o.identifiers.cio_object_id));
      for (const o of [objects[0], objects[objects.length - 1]]) {
        const byId = await call<{ object: ObjectRecord }>(sim, `/v1/objects/${type.id}/${o?.identifiers.object_id}/attributes`);
        expect(byId.json).toEqual({ object: o });
        const byCio = await call(sim, `/v1/objects/${type.id}/${o?.identifiers.cio_object_id}/attributes?id_type=cio_object_id`);
        expect(byCio.json).toEqual({ object: o });
        expect(o?.object_type_id).toBe(type.id);
        for (const v of Object.values(o?.attributes ?? {})) expect(typeof v).toBe('string');
        expect(Object.keys(o?.timestamps ?? {})).toEqual(Object.keys(o?.attributes ?? {}));
      }
    }
  });

  test('unknown object or type → 404; wrong id_type → 400; an id of another type → 404', async () => {
    const o = sim.truth.objects('1')[0];
    expect((await call(sim, '/v1/objects/1/co9999/attributes')).status).toBe(404);
    expect((await call(sim, `/v1/objects/7/${o?.identifiers.object_id}/attributes`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/2/${o?.identifiers.object_id}/attributes`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/2/${o?.identifiers.cio_object_id}/attributes?id_type=cio_object_id`)).status).toBe(404);
    expect((await call(sim, `/v1/objects/1/${o?.identifiers.object_id}/attributes?id_type=email`)).status).toBe(400);
  });
});
