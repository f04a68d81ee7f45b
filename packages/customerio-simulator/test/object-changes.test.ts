import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ActivityRecord, ObjectChange, ObjectIdentifiers, ObjectRecord, Simulator } from '../src/index.js';
import { call, DAY, list, NOW, start, walk } from './helpers.js';

/**
 * Objects changed between two syncs (Simulator.changeObjects, POST /__sim/change-objects): each
 * change alters what object search and GET /v1/objects/{type}/{id}/attributes serve and, unless
 * silent, writes an `_o:<object_type_id>:<kind>` activity into GET /v1/activities. Every check
 * reads the API over HTTP and, where the log says what a change did, checks the served object
 * against the change itself, not only against the truth.
 */

const everyObject = (typeId: string): unknown => ({
  object_type_id: typeId,
  filter: { and: [{ object_attribute: { field: 'object_id', operator: 'exists', type_id: typeId } }] },
});

/** Every object_id search finds for a type, in page order, repeats dropped. */
async function searched(sim: Simulator, typeId: string, filter?: unknown): Promise<string[]> {
  const body = filter === undefined ? everyObject(typeId) : { object_type_id: typeId, filter };
  const w = await walk<ObjectIdentifiers>(sim, '/v1/objects?limit=9', (p) => (p.identifiers as ObjectIdentifiers[] | null) ?? [], { body });
  return [...new Set(w.records.map((r) => r.object_id))];
}

async function attributes(sim: Simulator, typeId: string, id: string, idType = 'object_id'): Promise<{ status: number; object?: ObjectRecord }> {
  const res = await call<{ object: ObjectRecord }>(sim, `/v1/objects/${typeId}/${id}/attributes?id_type=${idType}`);
  return { status: res.status, ...(res.status === 200 ? { object: res.json.object } : {}) };
}

async function feed(sim: Simulator, query = '', limit = 100): Promise<ActivityRecord[]> {
  return (await walk<ActivityRecord>(sim, `/v1/activities?limit=${limit}${query}`, list('activities'))).records;
}

const typeIds = (sim: Simulator): string[] => sim.truth.objectTypes().map((t) => t.id);

describe('a default object change batch, one day after the initial clock', () => {
  let sim: Simulator;
  let log: ObjectChange[];
  let before: Map<string, Map<string, ObjectRecord>>;
  beforeAll(async () => {
    sim = await start();
    sim.advance(DAY);
    before = new Map(typeIds(sim).map((id) => [id, sim.truth.objectChanges.current(id)]));
    log = sim.changeObjects().changes;
  });
  afterAll(() => sim.close());

  const of = (kind: ObjectChange['kind'], silent = false): ObjectChange[] => log.filter((c) => c.kind === kind && (c.activity === null) === silent);
  const deletedLater = (c: ObjectChange): boolean => log.some((d) => d.kind === 'delete' && d.object_type_id === c.object_type_id && d.i === c.i);

  test('the batch is timed since the initial clock, in log order, some activities share a second; the kinds asked for', () => {
    expect(log.map((c) => c.seq)).toEqual(log.map((_, i) => i));
    const times = log.map((c) => c.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const t of times) expect(t > NOW && t <= NOW + DAY).toBe(true);
    const activities = log.flatMap((c) => (c.activity === null ? [] : [c.activity]));
    expect(new Set(activities.map((a) => a.timestamp)).size).toBeLessThan(activities.length);
    expect(of('create')).toHaveLength(3);
    expect(of('delete')).toHaveLength(2);
    expect(of('attribute_change').length).toBeGreaterThanOrEqual(6 + 2);
    expect(of('attribute_change', true).length).toBeGreaterThanOrEqual(3);
    expect(sim.truth.objectChanges.batches()).toBe(1);
    expect(sim.truth.objectChanges.changeLog()).toEqual(log);
    expect(sim.truth.people.batches()).toBe(0);
  });

  test('activities: type _o:<object_type_id>:<kind>, customer_id and customer_identifiers null, the object named in data', () => {
    let multi = 0;
    // Relationship changes write other shapes: relationship-changes.test.ts.
    for (const c of log) {
      if (c.activity === null || c.effect.relationship !== undefined) continue;
      const a = c.activity;
      expect(a.type).toBe(`_o:${c.object_type_id}:${c.kind}`);
      expect(a.timestamp).toBe(c.at);
      expect(a.customer_id).toBeNull();
      expect(a.customer_identifiers).toBeNull();
      expect(Object.keys(a)).toEqual(['id', 'type', 'timestamp', 'customer_id', 'customer_identifiers', 'data']);
      const { object_type_id, object_id, ...rest } = a.data;
      expect(object_type_id).toBe(c.object_type_id);
      expect(object_id).toBe(c.object_id);
      if (c.kind !== 'attribute_change') {
        expect(rest).toEqual({});
        continue;
      }
      expect(Object.keys(rest).sort()).toEqual(Object.keys(c.effect.attributes ?? {}).sort());
      for (const [key, change] of Object.entries(rest as Record<string, { from: string; to: string }>)) {
        expect(typeof change.from).toBe('string');
        expect(change.to).toBe(c.effect.attributes?.[key] ?? '');
        expect(change.from).not.toBe(change.to);
      }
      if (Object.keys(rest).length >= 2) multi++;
    }
    expect(multi).toBeGreaterThan(0);
    // Activity ids are unique and sort with time, as the feed's others do.
    const ids = log.flatMap((c) => (c.activity === null ? [] : [c.activity.id]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('create: search finds new objects after the generated ones; both id types hydrate them; /v1/workspaces counts them', async () => {
    for (const c of of('create')) {
      const found = await searched(sim, c.object_type_id);
      const created = of('create').filter((d) => d.object_type_id === c.object_type_id && !deletedLater(d));
      expect(found.slice(-created.length)).toEqual(created.map((d) => d.object_id));
      expect(c.i).toBeGreaterThanOrEqual(before.get(c.object_type_id)?.size ?? 0);
      const byId = await attributes(sim, c.object_type_id, c.object_id);
      const byCio = await attributes(sim, c.object_type_id, c.cio_object_id, 'cio_object_id');
      expect(byId).toEqual(byCio);
      expect(byId.object?.identifiers).toEqual({ object_id: c.object_id, cio_object_id: c.cio_object_id });
      expect(byId.object?.attributes.object_id).toBe(c.object_id);
      expect(byId.object?.attributes.created_at).toBe(String(c.at));
      expect(byId.object).toEqual(sim.truth.objectChanges.current(c.object_type_id).get(c.object_id));
    }
    const ws = await call<{ workspaces: { objects: number }[] }>(sim, '/v1/workspaces');
    const generated = [...before.values()].reduce((a, m) => a + m.size, 0);
    expect(ws.json.workspaces[0]?.objects).toBe(generated + 3 - 2);
  });

  test('attribute_change: the attributes endpoint serves the last value with the change time; an eq search finds the new value, not the old', async () => {
    let checked = 0;
    for (const c of of('attribute_change')) {
      if (deletedLater(c)) continue;
      const served = (await attributes(sim, c.object_type_id, c.object_id)).object;
      for (const [key, to] of Object.entries(c.effect.attributes ?? {})) {
        const later = log.some((d) => d.seq > c.seq && d.object_type_id === c.object_type_id && d.i === c.i && d.effect.attributes?.[key] !== undefined);
        if (later) continue;
        expect(served?.attributes[key], `${c.object_id}.${key}`).toBe(to ?? undefined);
        expect(served?.timestamps[key]).toBe(to === null ? undefined : c.at);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
    const c = of('attribute_change').find((x) => {
      const entry = Object.entries(x.effect.attributes ?? {}).find(([k, v]) => k !== 'name' && v !== null);
      return entry !== undefined && !deletedLater(x) && !log.some((d) => d.seq > x.seq && d.object_type_id === x.object_type_id && d.i === x.i);
    });
    const [key, value] = Object.entries(c?.effect.attributes ?? {}).find(([k, v]) => k !== 'name' && v !== null) ?? [];
    const from = (c?.activity?.data as Record<string, { from: string }>)[key ?? '']?.from ?? '';
    const find = (v: string): Promise<string[]> =>
      searched(sim, c?.object_type_id ?? '1', { object_attribute: { field: key, operator: 'eq', value: v, type_id: c?.object_type_id } });
    expect(await find(value ?? '')).toContain(c?.object_id);
    if (from !== '') expect(await find(from)).not.toContain(c?.object_id);
  });

  test('delete: gone from search, 404 by object_id and cio_object_id; its activities (the change before it too) only with deleted=true', async () => {
    const deleted = of('delete');
    expect(sim.truth.objectChanges.deleted().map((d) => [d.object_type_id, d.object_id, d.at])).toEqual(
      deleted.map((c) => [c.object_type_id, c.object_id, c.at]),
    );
    const visible = await feed(sim);
    const hidden = await feed(sim, '&deleted=true');
    for (const c of deleted) {
      expect(await searched(sim, c.object_type_id)).not.toContain(c.object_id);
      expect((await attributes(sim, c.object_type_id, c.object_id)).status).toBe(404);
      expect((await attributes(sim, c.object_type_id, c.cio_object_id, 'cio_object_id')).status).toBe(404);
      expect(sim.truth.objectChanges.current(c.object_type_id).has(c.object_id)).toBe(false);
      const mine = log.filter((d) => d.object_type_id === c.object_type_id && d.i === c.i && d.activity !== null).map((d) => d.activity);
      expect(mine.length).toBeGreaterThanOrEqual(1);
      for (const a of mine) {
        expect(hidden).toContainEqual(a);
        expect(visible).not.toContainEqual(a);
      }
    }
    // The first delete of a batch follows a change of the same object.
    const first = deleted[0] as ObjectChange;
    expect(log.some((d) => d.kind === 'attribute_change' && d.object_type_id === first.object_type_id && d.i === first.i && d.seq < first.seq)).toBe(true);
    expect(hidden).toEqual(sim.truth.people.activities({ deleted: true }));
    expect(hidden.filter((a) => a.type.startsWith('_o:'))).toEqual(sim.truth.objectChanges.activities({ deleted: true }));
  });

  test('several changes of one object; silent changes write no activity and the truth tells them apart', async () => {
    const perObject = new Map<string, number>();
    for (const c of log) perObject.set(`${c.object_type_id}/${c.i}`, (perObject.get(`${c.object_type_id}/${c.i}`) ?? 0) + 1);
    expect([...perObject.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(2);
    const key = (r: { object_type_id: string; object_id: string }): string => `${r.object_type_id}/${r.object_id}`;
    const viaActivity = sim.truth.objectChanges.changedSince(NOW, 'activity').map(key);
    const viaSilence = sim.truth.objectChanges.changedSince(NOW, 'silent').map(key);
    const all = sim.truth.objectChanges.changedSince(NOW).map(key);
    expect(viaActivity.filter((k) => viaSilence.includes(k))).toEqual([]);
    expect([...viaActivity, ...viaSilence].sort()).toEqual([...all].sort());
    expect(sim.truth.objectChanges.namedInFeedSince(NOW).map(key).sort()).toEqual([...viaActivity].sort());
    const silent = of('attribute_change', true);
    const quiet = silent.filter((c) => !log.some((d) => d.object_type_id === c.object_type_id && d.i === c.i && d.activity !== null));
    expect(quiet.length).toBeGreaterThan(0);
    for (const c of quiet) {
      expect(viaSilence).toContain(`${c.object_type_id}/${c.object_id}`);
      const served = (await attributes(sim, c.object_type_id, c.object_id)).object;
      expect(served).toEqual(sim.truth.objectChanges.current(c.object_type_id).get(c.object_id));
      expect(served).not.toEqual(before.get(c.object_type_id)?.get(c.object_id));
    }
    // Every object that differs from before is one the truth calls changed; nothing else moved.
    for (const id of typeIds(sim)) {
      for (const [oid, record] of sim.truth.objectChanges.current(id)) {
        if (JSON.stringify(record) !== JSON.stringify(before.get(id)?.get(oid))) expect(all).toContain(`${id}/${oid}`);
      }
    }
  });

  test('the type filter matches the exact _o: strings; customer_id matches no object activity', async () => {
    const types = [...new Set(log.flatMap((c) => (c.activity === null || deletedLater(c) || c.effect.relationship !== undefined ? [] : [c.activity.type])))];
    expect(types.length).toBeGreaterThanOrEqual(3);
    for (const type of types) {
      const served = await feed(sim, `&type=${encodeURIComponent(type)}`);
      const written = log.filter((c) => c.activity?.type === type && !deletedLater(c)).map((c) => c.activity);
      expect(served).toEqual([...written].reverse());
      expect(served).toEqual(sim.truth.objectChanges.activities({ type }));
    }
    expect(await feed(sim, `&type=${encodeURIComponent('_o:1')}`)).toEqual([]);
    expect(await feed(sim, `&type=create`)).toEqual([]);
    const someone = [...sim.truth.peopleCioIds()][0] ?? '';
    expect((await feed(sim, `&customer_id=${someone}&id_type=cio_id`)).some((a) => a.type.startsWith('_o:'))).toBe(false);
  });

  test('the whole feed, in pages of 3 and 100: the truth, newest first, every object activity of an object still there once', async () => {
    const truth = sim.truth.activities();
    for (const limit of [3, 100]) expect(await feed(sim, '', limit)).toEqual(truth);
    const rest = truth.filter((a) => a.timestamp <= sim.now()).map((a) => a.timestamp);
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
    for (const c of log) if (c.activity !== null && !deletedLater(c)) expect(truth.filter((a) => a.id === c.activity?.id)).toEqual([c.activity]);
    expect(sim.truth.counts().activities).toBe(truth.length);
  });

  test('the truth of every object equals the attributes endpoint and search over HTTP', async () => {
    for (const id of typeIds(sim)) {
      const truth = sim.truth.objectChanges.current(id);
      expect(await searched(sim, id)).toEqual([...truth.keys()]);
      expect(sim.truth.objects(id)).toEqual([...truth.values()]);
      for (const [oid, record] of truth) expect((await attributes(sim, id, oid)).object).toEqual(record);
    }
  });
});

describe('object and people batches together', () => {
  const run = async (backend: 'inline' | 'worker'): Promise<Simulator> => {
    const sim = await start({ backend });
    sim.advance(DAY);
    sim.changePeople({ seed: 5 });
    sim.changeObjects({ seed: 6 });
    sim.advance(600);
    sim.changeObjects({ counts: { several: 3, delete: 1, create: 2 } });
    sim.changePeople({ counts: { attribute_change: 4, profile_delete: 1 } });
    sim.changeObjects({ counts: { attribute_change: 3 } });
    return sim;
  };

  test('each batch spreads over the time since the previous batch of either kind; the merged feed pages to the truth', async () => {
    const sim = await run('inline');
    try {
      const people = sim.truth.people.changeLog();
      const objects = sim.truth.objectChanges.changeLog();
      // Batch 1 of objects follows people batch 1 at the same clock: everything at the clock.
      for (const c of objects.filter((x) => x.batch === 1)) expect(c.at).toBe(NOW + DAY);
      for (const c of objects.filter((x) => x.batch === 2)) expect(c.at > NOW + DAY && c.at <= NOW + DAY + 600).toBe(true);
      for (const c of people.filter((x) => x.batch === 2)) expect(c.at).toBe(NOW + DAY + 600);
      for (const c of objects.filter((x) => x.batch === 3)) expect(c.at).toBe(NOW + DAY + 600);
      const truth = sim.truth.activities();
      for (const limit of [2, 7, 100]) {
        const w = await walk<ActivityRecord>(sim, `/v1/activities?limit=${limit}`, list('activities'));
        expect(w.records).toEqual(truth);
        expect(new Set(w.tokens).size).toBe(w.tokens.length);
      }
      const hidden = await feed(sim, '&deleted=true');
      expect(hidden).toEqual(sim.truth.people.activities({ deleted: true }));
      expect(hidden.some((a) => a.type.startsWith('_o:'))).toBe(true);
      expect(hidden.some((a) => !a.type.startsWith('_o:'))).toBe(true);
      // Change activities come in reverse commit order, ties in one second included (a later batch first).
      const commits = ['p1', 'o1', 'o2', 'p2', 'o3'];
      const rank = new Map<string, number>();
      for (const c of people) if (c.activity) rank.set(c.activity.id, commits.indexOf(`p${c.batch}`) * 1e6 + c.seq);
      for (const c of objects) if (c.activity) rank.set(c.activity.id, commits.indexOf(`o${c.batch}`) * 1e6 + c.seq);
      const ranks = truth.flatMap((a) => (rank.has(a.id) ? [rank.get(a.id) as number] : []));
      expect(ranks).toEqual([...ranks].sort((x, y) => y - x));
      expect(truth.filter((a) => a.timestamp === NOW + DAY + 600 && rank.has(a.id)).map((a) => a.type.startsWith('_o:'))).toEqual(
        expect.arrayContaining([true, false]),
      );
    } finally {
      await sim.close();
    }
  });

  test('a token issued before an object batch stays valid and nothing is served twice', async () => {
    const sim = await start({ backend: 'inline' });
    try {
      sim.advance(DAY);
      sim.changeObjects({ seed: 1 });
      const first = await call<{ activities: ActivityRecord[]; next: string }>(sim, '/v1/activities?limit=20');
      sim.advance(60);
      sim.changeObjects({ seed: 2 });
      sim.changePeople({ seed: 3 });
      const rest: { records: ActivityRecord[] } = { records: [] };
      for (let next = first.json.next; next !== '';) {
        const page = await call<{ activities: ActivityRecord[]; next: string }>(sim, `/v1/activities?limit=50&start=${next}`);
        expect(page.status).toBe(200);
        rest.records.push(...page.json.activities);
        next = page.json.next;
      }
      const ids = [...first.json.activities, ...rest.records].map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      // The rest is the part of the truth after the first page's last activity.
      const truth = sim.truth.activities();
      const lastId = first.json.activities[first.json.activities.length - 1]?.id;
      expect(rest.records).toEqual(truth.slice(truth.findIndex((a) => a.id === lastId) + 1));
    } finally {
      await sim.close();
    }
  });

  test('an inline backend answers exactly as the worker does after the same batches', async () => {
    const [worker, inline] = await Promise.all([run('worker'), run('inline')]);
    try {
      const bodies = async (sim: Simulator): Promise<unknown[]> => [
        await feed(sim),
        await feed(sim, '&deleted=true'),
        ...(await Promise.all(typeIds(sim).map((id) => searched(sim, id)))),
        ...(await Promise.all(typeIds(sim).flatMap((id) => [...sim.truth.objectChanges.current(id).keys()].slice(-5).map((oid) => attributes(sim, id, oid))))),
        (await call(sim, '/v1/workspaces')).text,
      ];
      expect(await bodies(inline)).toEqual(await bodies(worker));
    } finally {
      await Promise.all([worker.close(), inline.close()]);
    }
  });

  test('several batches replay for the same seeds and clock; created objects can be changed and deleted later', async () => {
    const a = await run('inline');
    const b = await run('inline');
    try {
      expect(b.truth.objectChanges.changeLog()).toEqual(a.truth.objectChanges.changeLog());
      expect(await feed(b)).toEqual(await feed(a));
      const created = a.truth.objectChanges.changeLog().find((c) => c.kind === 'create' && c.batch === 1);
      // Every object of its type changed, then every one deleted: the created one too.
      const id = created?.object_type_id ?? '1';
      const size = a.truth.objectChanges.current(id).size;
      const total = a.truth.objectTypes().reduce((n, t) => n + a.truth.objectChanges.current(t.id).size, 0);
      a.advance(60);
      a.changeObjects({ counts: { several: total } });
      a.advance(60);
      a.changeObjects({ counts: { delete: total } });
      expect(a.truth.objectChanges.current(id).size).toBe(0);
      expect(size).toBeGreaterThan(0);
      expect(await searched(a, id)).toEqual([]);
      expect((await attributes(a, id, created?.object_id ?? '')).status).toBe(404);
      const mine = (await feed(a, '&deleted=true')).filter((x) => x.data.object_id === created?.object_id && x.data.object_type_id === id);
      expect(mine.map((x) => x.type)).toEqual(expect.arrayContaining([`_o:${id}:create`, `_o:${id}:attribute_change`, `_o:${id}:delete`]));
      expect((await feed(a)).some((x) => x.type.startsWith('_o:'))).toBe(false);
      expect(() => a.changeObjects({ counts: { delete: 1 } })).toThrow(/not enough objects/);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('requests', () => {
  test('a bad request throws and changes nothing', async () => {
    const sim = await start({ backend: 'inline' });
    try {
      expect(() => sim.changeObjects({ counts: { deletes: 1 } as never })).toThrow(/unknown count "deletes"/);
      expect(() => sim.changeObjects({ counts: { delete: -1 } })).toThrow(/non-negative integer/);
      expect(() => sim.changeObjects({ counts: { delete: 10_000 } })).toThrow(/not enough objects/);
      expect(() => sim.changeObjects({ seed: 1.5 })).toThrow(/seed/);
      expect(() => sim.changeObjects({ extra: 1 } as never)).toThrow(/unknown field extra/);
      expect(sim.truth.objectChanges.batches()).toBe(0);
      expect(sim.truth.objectChanges.changeLog()).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  test('POST /__sim/change-objects: a JSON body or query parameters → the batch; 400 for a malformed one, and nothing changes', async () => {
    const sim = await start();
    try {
      const post = async (query: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
        const res = await fetch(`${sim.url}/__sim/change-objects${query}`, { method: 'POST', ...(body === undefined ? {} : { body }) });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      const byBody = await post('', '{"counts":{"attribute_change":2,"delete":1},"seed":3}');
      expect(byBody.status).toBe(200);
      expect(byBody.json).toMatchObject({ batch: 1, at: NOW });
      expect((byBody.json.changes as unknown[]).length).toBe(3);
      const byQuery = await post('?create=2&seed=4');
      expect(byQuery.json).toMatchObject({ batch: 2 });
      const created = byQuery.json.changes as ObjectChange[];
      expect(created.map((c) => c.kind)).toEqual(['create', 'create']);
      const byDefault = await post('');
      expect((byDefault.json.changes as unknown[]).length).toBeGreaterThan(15);
      for (const [query, body, detail] of [
        ['', '{', /must be JSON/],
        ['?delete=x', undefined, /delete must be a non-negative integer/],
        ['?bogus=1', undefined, /unknown count "bogus"/],
        ['', '{"counts":{"delete":100000}}', /at most 10000 changes/],
        ['', '{"counts":{"delete":5000}}', /not enough objects/],
        ['', '[1]', /takes \{counts\?, seed\?\}/],
      ] as const) {
        const res = await post(query, body);
        expect(res.status, `${query} ${body}`).toBe(400);
        expect((res.json as { errors: { detail: string }[] }).errors[0]?.detail).toMatch(detail);
      }
      expect(sim.truth.objectChanges.batches()).toBe(3);
      // The route worker (or inline routes) answer with the changes at once.
      for (const c of created) expect((await attributes(sim, c.object_type_id, c.object_id)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
