import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ActivityRecord, CustomerRecord, PersonChange, ServedCustomer, Simulator } from '../src/index.js';
import { call, DAY, list, NOW, start, walk } from './helpers.js';

/**
 * People changed between two syncs (Simulator.changePeople, POST /__sim/change-people): each
 * change alters the profile as hydration, search, membership and exports serve it and, unless
 * silent, writes its activity. Every check reads the API over HTTP and, where the log says what
 * a change did, checks the served profile against the change itself, not only against the truth.
 */

const MATCH_ALL = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

function bare(served: ServedCustomer): CustomerRecord {
  return 'customer' in served ? served.customer : served;
}

/** POST /v1/customers/attributes for these cio_ids, by cio_id (unknown ones absent). */
async function hydrate(sim: Simulator, cioIds: readonly string[]): Promise<Map<string, CustomerRecord>> {
  const out = new Map<string, CustomerRecord>();
  for (let i = 0; i < cioIds.length; i += 100) {
    const res = await call<{ customers: ServedCustomer[] | null }>(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: cioIds.slice(i, i + 100) } });
    expect(res.status).toBe(200);
    for (const c of res.json.customers ?? []) out.set(bare(c).identifiers.cio_id, bare(c));
  }
  return out;
}

/** Every cio_id people search finds, in page order. */
async function searched(sim: Simulator): Promise<string[]> {
  const w = await walk<{ cio_id: string }>(sim, '/v1/customers?limit=1000', (p) => (p.identifiers as { cio_id: string }[] | null) ?? [], { body: MATCH_ALL });
  return w.records.map((r) => r.cio_id);
}

async function feed(sim: Simulator, query = ''): Promise<ActivityRecord[]> {
  return (await walk<ActivityRecord>(sim, `/v1/activities?limit=100${query}`, list('activities'))).records;
}

describe('a default change batch, one day after the initial clock', () => {
  let sim: Simulator;
  let log: PersonChange[];
  let before: Map<string, CustomerRecord>;
  beforeAll(async () => {
    sim = await start();
    sim.advance(DAY);
    before = new Map([...sim.truth.people.current()].map(([cio, c]) => [cio, bare(c)]));
    log = sim.changePeople().changes;
  });
  afterAll(() => sim.close());

  const of = (kind: PersonChange['kind'], silent = false): PersonChange[] =>
    log.filter((c) => c.kind === kind && (c.activity === null) === silent && c.effect.gone !== 'merged');

  test('the batch is timed since the initial clock, in log order, and some activities share a second', () => {
    expect(log.length).toBeGreaterThan(20);
    expect(log.map((c) => c.seq)).toEqual(log.map((_, i) => i));
    const times = log.map((c) => c.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const t of times) expect(t > NOW && t <= NOW + DAY).toBe(true);
    const activities = log.flatMap((c) => (c.activity === null ? [] : [c.activity]));
    expect(new Set(activities.map((a) => a.timestamp)).size).toBeLessThan(activities.length);
    expect(sim.truth.people.batches()).toBe(1);
    expect(sim.truth.people.changeLog()).toEqual(log);
  });

  test('attribute_change: hydration serves the new values as strings with the change time; data is {attr: {from, to}}, "" for none', async () => {
    const changes = of('attribute_change');
    expect(changes.length).toBeGreaterThanOrEqual(6);
    const served = await hydrate(
      sim,
      changes.map((c) => c.cio_id),
    );
    const gone = new Set(sim.truth.people.gone().map((g) => g.cio_id));
    let checked = 0;
    for (const c of changes) {
      const data = c.activity?.data as Record<string, { from: string; to: string }>;
      expect(Object.keys(data).sort()).toEqual(Object.keys(c.effect.attributes ?? {}).sort());
      for (const [key, { from, to }] of Object.entries(data)) {
        expect(typeof from).toBe('string');
        expect(typeof to).toBe('string');
        expect(from).not.toBe(to);
        expect(to).toBe(c.effect.attributes?.[key] ?? '');
        // The last change of that attribute of a person still there is what hydration serves.
        const later = log.some((d) => d.seq > c.seq && d.p === c.p && d.effect.attributes?.[key] !== undefined);
        if (gone.has(c.cio_id) || later) continue;
        const record = served.get(c.cio_id);
        expect(record?.attributes[key], `${c.cio_id}.${key}`).toBe(to === '' ? undefined : to);
        if (to !== '') expect(record?.timestamps[key]).toBe(c.at);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
    // One change of an email: the identifiers follow it.
    const emailChange = changes.find((c) => c.effect.attributes?.email !== undefined && !gone.has(c.cio_id));
    if (emailChange) expect(served.get(emailChange.cio_id)?.identifiers.email).toBe(emailChange.effect.attributes?.email);
  });

  test('search filters see the changed values: an attribute filter finds the new value, not the old one', async () => {
    const gone = new Set(sim.truth.people.gone().map((g) => g.cio_id));
    const c = of('attribute_change').find((x) => {
      const [key, value] = Object.entries(x.effect.attributes ?? {})[0] ?? [];
      return (
        key !== undefined &&
        key !== 'plan' &&
        value !== null &&
        !gone.has(x.cio_id) &&
        !log.some((d) => d.seq > x.seq && d.p === x.p && d.effect.attributes?.[key] !== undefined)
      );
    });
    const [key, value] = Object.entries(c?.effect.attributes ?? {})[0] ?? [];
    const from = (c?.activity?.data as Record<string, { from: string }>)[key ?? '']?.from ?? '';
    const find = async (v: string): Promise<string[]> => {
      const w = await walk<{ cio_id: string }>(sim, '/v1/customers?limit=1000', (p) => (p.identifiers as { cio_id: string }[] | null) ?? [], {
        body: { filter: { attribute: { field: key, operator: 'eq', value: v } } },
      });
      return w.records.map((r) => r.cio_id);
    };
    expect(await find(value ?? '')).toContain(c?.cio_id);
    if (from !== '') expect(await find(from)).not.toContain(c?.cio_id);
  });

  test('profile_create: found by search after the generated people, hydrated, counted by /v1/workspaces', async () => {
    const created = of('profile_create');
    expect(created).toHaveLength(3);
    const ids = await searched(sim);
    expect(ids.slice(-created.length)).toEqual(created.map((c) => c.cio_id));
    const served = await hydrate(
      sim,
      created.map((c) => c.cio_id),
    );
    for (const c of created) {
      const record = served.get(c.cio_id);
      expect(record?.identifiers).toEqual(c.effect.create?.identity);
      expect(record?.attributes.created_at).toBe(String(c.at));
      expect(record?.attributes.cio_id).toBe(c.cio_id);
      expect(c.activity?.customer_identifiers).toEqual({ cio_id: c.cio_id, email: record?.identifiers.email, id: record?.identifiers.id });
    }
    // Every third new profile has no customer id: an activity with customer_id null.
    expect(created.some((c) => c.effect.create?.identity.id === null && c.activity?.customer_id === null)).toBe(true);
    const workspaces = await call<{ workspaces: { people: number }[] }>(sim, '/v1/workspaces');
    expect(workspaces.json.workspaces[0]?.people).toBe(500 + 3 - 2 - 2);
    expect(sim.truth.peopleCount()).toBe(499);
    expect(ids).toEqual([...sim.truth.peopleCioIds()]);
  });

  test('profile_delete: gone from search, hydration, membership and customer_count; the activity only with deleted=true', async () => {
    const deleted = of('profile_delete');
    expect(deleted).toHaveLength(2);
    expect(sim.truth.people.deleted()).toEqual(deleted.map((c) => c.cio_id));
    const ids = new Set(await searched(sim));
    const served = await hydrate(
      sim,
      deleted.map((c) => c.cio_id),
    );
    expect(served.size).toBe(0);
    for (const c of deleted) {
      expect(ids.has(c.cio_id)).toBe(false);
      expect(sim.truth.customer(c.cio_id)).toBeUndefined();
      // By id and by email too.
      const who = before.get(c.cio_id)?.identifiers;
      if (who?.id) expect((await call(sim, '/v1/customers/attributes?id_type=id', { body: { ids: [who.id] } })).json).toEqual({ customers: null });
      if (who?.email) expect((await call(sim, '/v1/customers/attributes?id_type=email', { body: { ids: [who.email] } })).json).toEqual({ customers: null });
    }
    for (const s of sim.truth.segments()) {
      if (sim.truth.deletedParents().segments.includes(s.id)) continue;
      const m = await walk<{ cio_id: string }>(sim, `/v1/segments/${s.id}/membership?limit=1000`, (p) => (p.identifiers as { cio_id: string }[] | null) ?? []);
      const members = m.records.map((r) => r.cio_id);
      expect(members).toEqual(sim.truth.segmentMemberCioIds(s.id));
      for (const c of deleted) expect(members).not.toContain(c.cio_id);
      const count = await call<{ count: number }>(sim, `/v1/segments/${s.id}/customer_count`);
      expect(count.json.count).toBe(members.length);
    }
    const visible = await feed(sim);
    const hidden = await feed(sim, '&deleted=true');
    for (const c of deleted) {
      expect(visible.some((a) => a.customer_identifiers?.cio_id === c.cio_id)).toBe(false);
      expect(hidden).toContainEqual(c.activity);
    }
  });

  test('a person changed and then deleted in the same batch: the change too is only served with deleted=true', async () => {
    const earlier = of('profile_delete').flatMap((d) => log.filter((c) => c.p === d.p && c.seq < d.seq && c.activity !== null));
    expect(earlier.length).toBeGreaterThan(0);
    const hidden = await feed(sim, '&deleted=true');
    const visible = await feed(sim);
    for (const c of earlier) {
      expect(hidden).toContainEqual(c.activity);
      expect(visible).not.toContainEqual(c.activity);
    }
  });

  test('profile_merge: the survivor carries the activity, naming the merged-away profile only in data.merged_cio_id; the other just disappears', async () => {
    const merges = of('profile_merge');
    expect(merges).toHaveLength(2);
    expect(sim.truth.people.mergedAway()).toEqual(merges.map((m) => ({ cio_id: m.effect.other, into: m.cio_id })));
    const served = await hydrate(
      sim,
      merges.flatMap((m) => [m.cio_id, m.effect.other ?? '']),
    );
    const visible = await feed(sim);
    for (const m of merges) {
      const other = m.effect.other ?? '';
      expect(served.has(other)).toBe(false);
      expect(m.activity?.customer_identifiers?.cio_id).toBe(m.cio_id);
      expect(m.activity?.data).toEqual({ merged_cio_id: other });
      expect(visible).toContainEqual(m.activity);
      // No activity of the merged-away profile is served without deleted=true, and none was written for the merge.
      expect(visible.some((a) => a.customer_identifiers?.cio_id === other)).toBe(false);
      const away = log.find((c) => c.cio_id === other && c.effect.gone === 'merged');
      expect(away?.activity).toBeNull();
      // The survivor took what it lacked and the sum of lifetime values.
      const survivor = served.get(m.cio_id);
      const a = before.get(m.cio_id);
      const b = before.get(other);
      expect(survivor?.attributes.lifetime_value).toBe((Number(a?.attributes.lifetime_value ?? 0) + Number(b?.attributes.lifetime_value ?? 0)).toFixed(2));
      expect(survivor?.devices?.length ?? 0).toBeGreaterThanOrEqual(
        (a?.devices?.length ?? 0) + (b?.devices?.length ?? 0) - (log.some((c) => c.p === m.p && c.kind === 'device_change') ? 1 : 0),
      );
      if (a?.identifiers.email === null && b?.identifiers.email) {
        expect(survivor?.identifiers.email).toBe(b.identifiers.email);
        const byEmail = await call<{ customers: ServedCustomer[] }>(sim, '/v1/customers/attributes?id_type=email', { body: { ids: [b.identifiers.email] } });
        expect(byEmail.json.customers.map((c) => bare(c).identifiers.cio_id)).toEqual([m.cio_id]);
      }
    }
  });

  test('device_change: the devices list changes (null when none is left); the activity names the device', async () => {
    const changes = log.filter((c) => c.kind === 'device_change');
    expect(changes.length).toBeGreaterThanOrEqual(3);
    const served = await hydrate(
      sim,
      changes.map((c) => c.cio_id),
    );
    for (const c of changes) {
      const data = c.activity?.data as { device_id: string; platform: string; change: string };
      expect(['added', 'removed', 'updated']).toContain(data.change);
      const last = [...log].reverse().find((d) => d.p === c.p && d.effect.devices !== undefined);
      if (last !== c || !served.has(c.cio_id)) continue;
      const devices = served.get(c.cio_id)?.devices ?? null;
      expect(devices).toEqual(c.effect.devices);
      expect(devices === null || devices.length > 0).toBe(true);
      const ids = (devices ?? []).map((d) => d.id);
      expect(ids.includes(data.device_id)).toBe(data.change !== 'removed');
    }
  });

  test('unsubscribed_email flips unsubscribed to true; topic_unsubscribed_email writes cio_subscription_preferences', async () => {
    const unsubscribed = log.filter((c) => c.kind === 'unsubscribed_email');
    const topics = log.filter((c) => c.kind === 'topic_unsubscribed_email');
    expect(unsubscribed.length).toBeGreaterThanOrEqual(2);
    expect(topics.length).toBeGreaterThanOrEqual(2);
    const served = await hydrate(
      sim,
      [...unsubscribed, ...topics].map((c) => c.cio_id),
    );
    for (const c of unsubscribed) {
      expect(before.get(c.cio_id)?.unsubscribed).toBe(false);
      if (served.has(c.cio_id)) expect(served.get(c.cio_id)?.unsubscribed).toBe(true);
    }
    for (const c of topics) {
      const topic = (c.activity?.data as { topic_id: number }).topic_id;
      const prefs = served.get(c.cio_id)?.attributes.cio_subscription_preferences;
      if (prefs === undefined) continue;
      expect((JSON.parse(prefs) as { topics: Record<string, boolean> }).topics[`topic_${topic}`]).toBe(false);
    }
  });

  test('several changes of one person; customer_id null on some activities, cio_id on all', () => {
    const perPerson = new Map<number, number>();
    for (const c of log) if (c.activity !== null) perPerson.set(c.p, (perPerson.get(c.p) ?? 0) + 1);
    expect([...perPerson.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(2);
    const activities = log.flatMap((c) => (c.activity === null ? [] : [c.activity]));
    const nulls = activities.filter((a) => a.customer_id === null);
    expect(nulls.length).toBeGreaterThan(0);
    // Also for people who have an id: only customer_identifiers?.cio_id always names the person.
    expect(nulls.some((a) => a.customer_identifiers?.id !== null)).toBe(true);
    for (const a of activities) expect(a.customer_identifiers?.cio_id).toMatch(/^[0-9a-f]{8}$/);
    expect(activities[0]?.customer_id).toBeNull();
  });

  test('silent changes write no activity: the truth tells them apart from those a feed reader finds', async () => {
    const silent = log.filter((c) => c.activity === null && c.effect.gone === undefined);
    expect(silent.length).toBeGreaterThanOrEqual(3);
    const since = NOW;
    const viaActivity = sim.truth.people.changedSince(since, 'activity');
    const viaSilence = sim.truth.people.changedSince(since, 'silent');
    expect(viaActivity.filter((c) => viaSilence.includes(c))).toEqual([]);
    expect([...viaActivity, ...viaSilence].sort()).toEqual([...sim.truth.people.changedSince(since)].sort());
    const named = new Set(sim.truth.people.namedInFeedSince(since));
    const gone = new Set(sim.truth.people.gone().map((g) => g.cio_id));
    for (const c of silent) {
      if (gone.has(c.cio_id)) continue;
      const alsoLogged = log.some((d) => d.p === c.p && d.activity !== null);
      expect(alsoLogged ? viaActivity : viaSilence).toContain(c.cio_id);
      // Only silently changed: no activity of the batch names them (generated history may).
      if (!alsoLogged) expect(log.some((d) => d.activity?.customer_identifiers?.cio_id === c.cio_id)).toBe(false);
    }
    expect(named.size).toBeGreaterThan(viaActivity.length);
    for (const cio of viaActivity) expect(named.has(cio)).toBe(true);
    // Served profiles reflect silent changes: a reconcile finds them.
    const quiet = silent.filter((c) => viaSilence.includes(c.cio_id)).map((c) => c.cio_id);
    expect(quiet.length).toBeGreaterThan(0);
    const served = await hydrate(sim, quiet);
    for (const cio of quiet) {
      expect(served.get(cio)).toEqual(bare(sim.truth.customer(cio) as ServedCustomer));
      expect(served.get(cio)).not.toEqual(before.get(cio));
    }
    // Everyone the truth calls changed differs from before; no one else changed but for device clocks.
    const now = new Map([...sim.truth.people.current()].map(([cio, c]) => [cio, bare(c)]));
    const changed = new Set(sim.truth.people.changedSince(since));
    for (const [cio, record] of now) {
      const old = before.get(cio);
      if (old === undefined) {
        expect(changed.has(cio)).toBe(true);
        continue;
      }
      const strip = (r: CustomerRecord): unknown => ({ ...r, devices: r.devices?.map((d) => ({ ...d, last_used: 0 })) ?? null });
      const differs = JSON.stringify(strip(record)) !== JSON.stringify(strip(old));
      if (differs) expect(changed.has(cio), cio).toBe(true);
    }
  });

  test('the truth of every person equals hydration over HTTP', async () => {
    const truth = sim.truth.people.current();
    const served = await hydrate(sim, [...truth.keys()]);
    expect(served.size).toBe(truth.size);
    for (const [cio, record] of truth) expect(served.get(cio)).toEqual(bare(record));
  });
});

describe('batches over time', () => {
  test('several batches: each spreads over the time since the one before; all answers replay for the same seeds and clock', async () => {
    const run = async (): Promise<{ sim: Simulator; bodies: string[] }> => {
      const sim = await start({ backend: 'inline' });
      const bodies: string[] = [];
      sim.advance(2 * DAY);
      bodies.push(JSON.stringify(sim.changePeople({ counts: { attribute_change: 5, profile_delete: 1 }, seed: 11 })));
      sim.advance(3600);
      bodies.push(JSON.stringify(sim.changePeople({ counts: { profile_create: 2, profile_merge: 1, several: 1 } })));
      bodies.push(JSON.stringify(sim.changePeople({ counts: { device_change: 2 } })));
      bodies.push((await call(sim, '/v1/activities?limit=50')).text);
      bodies.push((await call(sim, '/v1/activities?limit=50&deleted=true')).text);
      bodies.push(JSON.stringify(await searched(sim)));
      return { sim, bodies };
    };
    const a = await run();
    const b = await run();
    try {
      expect(b.bodies).toEqual(a.bodies);
      const log = a.sim.truth.people.changeLog();
      const first = log.filter((c) => c.batch === 1);
      const second = log.filter((c) => c.batch === 2);
      const third = log.filter((c) => c.batch === 3);
      for (const c of first) expect(c.at > NOW && c.at <= NOW + 2 * DAY).toBe(true);
      for (const c of second) expect(c.at > NOW + 2 * DAY && c.at <= NOW + 2 * DAY + 3600).toBe(true);
      // No time passed since the batch before: everything at the clock.
      for (const c of third) expect(c.at).toBe(NOW + 2 * DAY + 3600);
      expect(a.sim.truth.people.batches()).toBe(3);
    } finally {
      await Promise.all([a.sim.close(), b.sim.close()]);
    }
  });

  test('a person created in one batch can be changed and deleted in later ones', async () => {
    const sim = await start({ backend: 'inline' });
    try {
      const created = sim.changePeople({ counts: { profile_create: 1 } }).changes[0];
      expect(created?.p).toBe(500);
      // Everyone (501 people) changed several times, then everyone deleted: the new person too.
      sim.advance(60);
      const changed = sim.changePeople({ counts: { several: 501 } }).changes.filter((c) => c.p === 500);
      expect(changed.length).toBeGreaterThanOrEqual(2);
      expect((await hydrate(sim, [created?.cio_id ?? ''])).get(created?.cio_id ?? '')).toEqual(
        bare(sim.truth.customer(created?.cio_id ?? '') as ServedCustomer),
      );
      sim.advance(60);
      sim.changePeople({ counts: { profile_delete: 501 } });
      expect(sim.truth.peopleCount()).toBe(0);
      expect(sim.truth.customer(created?.cio_id ?? '')).toBeUndefined();
      expect(await hydrate(sim, [created?.cio_id ?? ''])).toEqual(new Map());
      expect(await searched(sim)).toEqual([]);
      expect(await feed(sim, `&customer_id=${created?.cio_id ?? ''}&id_type=cio_id`)).toEqual([]);
      const hidden = await feed(sim, `&deleted=true&customer_id=${created?.cio_id ?? ''}&id_type=cio_id`);
      expect(hidden.map((a) => a.type)).toEqual(expect.arrayContaining(['profile_create', 'profile_delete']));
      expect(hidden).toEqual(sim.truth.people.activities({ deleted: true, customer_id: created?.cio_id ?? '', id_type: 'cio_id' }));
      // Nothing but the future-dated head and those of people never deleted… and there are none.
      expect((await feed(sim)).every((a) => a.timestamp > sim.now())).toBe(true);
    } finally {
      await sim.close();
    }
  });

  test('an export posted before a batch keeps its file; one posted after follows the changes', async () => {
    const sim = await start({ backend: 'inline' });
    try {
      const filter = { attribute: { field: 'cio_id', operator: 'exists' } };
      const posted = await call<{ export: { id: number } }>(sim, '/v1/exports/customers', { body: { filters: filter, attributes: ['plan', 'email'] } });
      const rows = [...(sim.truth.exportJobRows(posted.json.export.id) ?? [])];
      const batch = sim.changePeople();
      expect([...(sim.truth.exportJobRows(posted.json.export.id) ?? [])]).toEqual(rows);
      const now = [...sim.truth.exportRows(filter, ['plan', 'email'])];
      expect(now).not.toEqual(rows);
      const ids = now.map((r) => r[0]);
      expect(ids).toEqual([...sim.truth.peopleCioIds()]);
      for (const g of sim.truth.people.gone()) expect(ids).not.toContain(g.cio_id);
      for (const c of batch.changes.filter((x) => x.kind === 'profile_create')) expect(ids).toContain(c.cio_id);
    } finally {
      await sim.close();
    }
  });
});

describe('requests', () => {
  test('a bad request throws and changes nothing', async () => {
    const sim = await start({ backend: 'inline' });
    try {
      expect(() => sim.changePeople({ counts: { attribute_changes: 1 } as never })).toThrow(/unknown count "attribute_changes"/);
      expect(() => sim.changePeople({ counts: { profile_delete: -1 } })).toThrow(/non-negative integer/);
      expect(() => sim.changePeople({ counts: { profile_delete: 501 } })).toThrow(/not enough people/);
      expect(() => sim.changePeople({ seed: 1.5 })).toThrow(/seed/);
      expect(() => sim.changePeople({ extra: 1 } as never)).toThrow(/unknown field extra/);
      expect(sim.truth.people.batches()).toBe(0);
      expect(sim.truth.people.changeLog()).toEqual([]);
      expect(sim.truth.peopleCount()).toBe(500);
    } finally {
      await sim.close();
    }
  });

  test('POST /__sim/change-people: a JSON body or query parameters → the batch; 400 for a malformed one, and nothing changes', async () => {
    const sim = await start();
    try {
      const post = async (query: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
        const res = await fetch(`${sim.url}/__sim/change-people${query}`, { method: 'POST', ...(body === undefined ? {} : { body }) });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      const byBody = await post('', '{"counts":{"attribute_change":2,"profile_delete":1},"seed":3}');
      expect(byBody.status).toBe(200);
      expect(byBody.json).toMatchObject({ batch: 1, at: NOW });
      expect((byBody.json.changes as unknown[]).length).toBe(3);
      const byQuery = await post('?profile_create=2&seed=4');
      expect(byQuery.json).toMatchObject({ batch: 2 });
      expect((byQuery.json.changes as PersonChange[]).map((c) => c.kind)).toEqual(['profile_create', 'profile_create']);
      const byDefault = await post('');
      expect((byDefault.json.changes as unknown[]).length).toBeGreaterThan(20);
      expect(sim.truth.people.changeLog().length).toBe(5 + (byDefault.json.changes as unknown[]).length);
      for (const [query, body, detail] of [
        ['', '{', /must be JSON/],
        ['?profile_delete=x', undefined, /profile_delete must be a non-negative integer/],
        ['?bogus=1', undefined, /unknown count "bogus"/],
        ['', '{"counts":{"profile_merge":1000}}', /not enough people/],
        ['', '[1]', /takes \{counts\?, seed\?\}/],
      ] as const) {
        const res = await post(query, body);
        expect(res.status, `${query} ${body}`).toBe(400);
        expect((res.json as { errors: { detail: string }[] }).errors[0]?.detail).toMatch(detail);
      }
      expect(sim.truth.people.batches()).toBe(3);
      // The route worker (or inline routes) answer with the changes at once.
      const [created] = byQuery.json.changes as PersonChange[];
      expect((await hydrate(sim, [created?.cio_id ?? ''])).size).toBe(1);
    } finally {
      await sim.close();
    }
  });

  test('an inline backend answers exactly as the worker does after the same batches', async () => {
    const worker = await start();
    const inline = await start({ backend: 'inline' });
    try {
      for (const sim of [worker, inline]) {
        sim.advance(DAY);
        sim.changePeople({ seed: 5 });
        sim.advance(600);
        sim.changePeople({ counts: { several: 3, profile_merge: 2 } });
      }
      const bodies = async (sim: Simulator): Promise<unknown[]> => [
        await feed(sim),
        await feed(sim, '&deleted=true'),
        await searched(sim),
        [...(await hydrate(sim, [...sim.truth.people.current().keys()]))],
        (await call(sim, '/v1/workspaces')).text,
      ];
      expect(await bodies(inline)).toEqual(await bodies(worker));
    } finally {
      await Promise.all([worker.close(), inline.close()]);
    }
  });
});
