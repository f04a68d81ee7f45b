import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACTIVITY_SCAN_BUDGET, PEOPLE_CHANGE_KINDS, type ActivityRecord, type PersonChange, type Simulator } from '../src/index.js';
import { call, DAY, list, NOW, routeError, start, walk } from './helpers.js';

/**
 * GET /v1/activities once people changed between syncs (Simulator.changePeople): the change
 * activities merged into the generated feed newest first, and the filters `type`, `name`,
 * `deleted`, `customer_id` + `id_type` applied (§5.3). Read over HTTP, compared with the truth
 * and with what the change log says.
 */

const read = async (sim: Simulator, query: string, limit = 100): Promise<{ records: ActivityRecord[]; tokens: string[]; empty: number }> => {
  const w = await walk<ActivityRecord>(sim, `/v1/activities?limit=${limit}${query}`, (p) => (p.activities as ActivityRecord[] | null) ?? []);
  return { records: w.records, tokens: w.tokens, empty: w.emptyPagesWithNext };
};

describe('the feed after two change batches', () => {
  let sim: Simulator;
  let log: PersonChange[];
  beforeAll(async () => {
    sim = await start();
    sim.advance(DAY);
    sim.changePeople();
    sim.advance(2 * 3600);
    sim.changePeople({ counts: { attribute_change: 4, several: 3, profile_delete: 1, profile_merge: 1 }, seed: 42 });
    log = sim.truth.people.changeLog();
  });
  afterAll(() => sim.close());

  test('pages newest first to exactly the truth, in pages of 2, 7 and 100; tokens of three kinds, none twice', async () => {
    const truth = sim.truth.activities();
    const sections = new Set<string>();
    for (const limit of [2, 7, 100]) {
      const w = await read(sim, '', limit);
      expect(w.records).toEqual(truth);
      expect(new Set(w.records.map((a) => a.id)).size).toBe(w.records.length);
      for (const t of w.tokens) expect(t).toMatch(/^[789][0-9]{17}$/);
      for (const t of w.tokens) sections.add(t.charAt(0));
    }
    expect(sections).toEqual(new Set(['7', '8', '9']));
    const future = truth.filter((a) => a.timestamp > sim.now());
    const rest = truth.slice(future.length).map((a) => a.timestamp);
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
    // Every activity a change wrote for a person still there is in the default feed, once.
    const gone = new Set(sim.truth.people.gone().map((g) => g.cio_id));
    const written = log.flatMap((c) => (c.activity === null || gone.has(c.activity.customer_identifiers?.cio_id ?? '') ? [] : [c.activity]));
    expect(written.length).toBeGreaterThan(20);
    for (const a of written) expect(truth.filter((b) => b.id === a.id)).toEqual([a]);
    // Within one second, change activities come newest (highest log position) first.
    const changeIds = new Map(log.flatMap((c) => (c.activity === null ? [] : [[c.activity.id, c.seq] as const])));
    const positions = truth.flatMap((a) => (changeIds.has(a.id) ? [changeIds.get(a.id) as number] : []));
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });

  test('deleted=true serves only the activities of people deleted or merged away, older ones included; the default feed none of them', async () => {
    const gone = new Set(sim.truth.people.gone().map((g) => g.cio_id));
    expect(gone.size).toBe(2 + 2 + 1 + 1);
    const hidden = await read(sim, '&deleted=true');
    const visible = await read(sim, '&deleted=false');
    expect(visible.records).toEqual(sim.truth.activities());
    expect(hidden.records).toEqual(sim.truth.people.activities({ deleted: true }));
    for (const a of hidden.records) expect(gone.has(a.customer_identifiers?.cio_id ?? '')).toBe(true);
    for (const a of visible.records) expect(gone.has(a.customer_identifiers?.cio_id ?? '')).toBe(false);
    // Generated history of those people (opens, events, …) from before the delete moves too.
    expect(hidden.records.some((a) => !(PEOPLE_CHANGE_KINDS as readonly string[]).includes(a.type) && a.timestamp < NOW)).toBe(true);
    // The merged-away people wrote no activity of their own for the merge.
    for (const m of sim.truth.people.mergedAway())
      expect(hidden.records.some((a) => a.type === 'profile_merge' && a.customer_identifiers?.cio_id === m.cio_id)).toBe(false);
  });

  test.each(['attribute_change', 'profile_create', 'device_change', 'unsubscribed_email', 'topic_unsubscribed_email', 'profile_merge', 'opened_email'])(
    'type=%s keeps exactly that type, change activities and generated history alike',
    async (type) => {
      const w = await read(sim, `&type=${type}`);
      expect(w.records).toEqual(sim.truth.activities().filter((a) => a.type === type));
      expect(w.records.length).toBeGreaterThan(0);
    },
  );

  test("type=profile_delete is empty without deleted=true: the deleted people's own activities are hidden", async () => {
    expect((await call(sim, '/v1/activities?type=profile_delete')).json).toEqual({ activities: null, next: '' });
    const w = await read(sim, '&type=profile_delete&deleted=true');
    expect(w.records.map((a) => a.customer_identifiers?.cio_id).sort()).toEqual([...sim.truth.people.deleted()].sort());
  });

  test('name keeps the events and screens of that name', async () => {
    const w = await read(sim, '&name=purchased');
    expect(w.records.length).toBeGreaterThan(0);
    expect(w.records).toEqual(sim.truth.activities().filter((a) => a.name === 'purchased'));
  });

  test("customer_id by id (default), email or cio_id (cio_ prefix too): one person's activities, also when customer_id is null on them", async () => {
    const nulled = log.find(
      (c) => c.activity?.customer_id === null && c.activity.customer_identifiers?.id !== null && sim.truth.customer(c.cio_id) !== undefined,
    );
    expect(nulled).toBeDefined();
    const who = sim.truth.people.current().get(nulled?.cio_id ?? '');
    const identifiers = who === undefined ? undefined : 'customer' in who ? who.customer.identifiers : who.identifiers;
    const expected = sim.truth.activities().filter((a) => a.customer_identifiers?.cio_id === nulled?.cio_id);
    expect(expected).toContainEqual(nulled?.activity);
    const queries = [
      `&customer_id=${identifiers?.id ?? ''}`,
      `&customer_id=${identifiers?.id ?? ''}&id_type=id`,
      `&customer_id=${nulled?.cio_id ?? ''}&id_type=cio_id`,
      `&customer_id=cio_${nulled?.cio_id ?? ''}&id_type=cio_id`,
    ];
    if (identifiers?.email) queries.push(`&customer_id=${encodeURIComponent(identifiers.email)}&id_type=email`);
    for (const q of queries) expect((await read(sim, q)).records, q).toEqual(expected);
    expect((await call(sim, '/v1/activities?customer_id=user_999999')).json).toEqual({ activities: null, next: '' });
  });

  test('a deleted person by the id they had: only with deleted=true', async () => {
    const deleted = log.find((c) => c.kind === 'profile_delete' && c.activity?.customer_identifiers?.id);
    const id = deleted?.activity?.customer_identifiers?.id ?? '';
    expect((await read(sim, `&customer_id=${id}`)).records).toEqual([]);
    const w = await read(sim, `&customer_id=${id}&deleted=true`);
    expect(w.records).toContainEqual(deleted?.activity);
    for (const a of w.records) expect(a.customer_identifiers?.cio_id).toBe(deleted?.cio_id);
  });

  test.each([
    ['deleted=yes', 'deleted'],
    ['id_type=phone&customer_id=x', 'id_type'],
    ['start=700000000000099999', 'start'],
  ])('%s → 400 naming %s', async (query, name) => {
    const path = `/v1/activities?${query}`;
    const res = await call(sim, path);
    expect(res.status).toBe(400);
    expect(res.json).toEqual(routeError(path, 400, expect.stringContaining(name)));
  });

  test('activities of changes drop out with the retention window; the profiles stay changed', async () => {
    const local = await start({ backend: 'inline' });
    try {
      const batch = local.changePeople({ counts: { attribute_change: 5, profile_create: 1 } });
      expect(local.truth.activities()).toEqual(expect.arrayContaining(batch.changes.map((c) => c.activity)));
      local.advance(40 * DAY);
      const after = (await read(local, '')).records;
      for (const c of batch.changes) expect(after.some((a) => a.id === c.activity?.id)).toBe(false);
      const created = batch.changes.find((c) => c.kind === 'profile_create');
      expect(local.truth.customer(created?.cio_id ?? '')).toBeDefined();
      // Changed long ago, but no activity left to find them by: changedSince calls them silent.
      expect(local.truth.people.changedSince(NOW - 1, 'silent')).toContain(created?.cio_id);
    } finally {
      await local.close();
    }
  });
});

describe('scan budget', () => {
  test(`a filtered request scans at most ${ACTIVITY_SCAN_BUDGET} activities: a rare type answers empty pages that carry next`, async () => {
    const sim = await start({ scale: 'medium', backend: 'inline' });
    try {
      // Device changes are not in the generated history: two in a feed of about 11,000.
      const batch = sim.changePeople({ counts: { device_change: 2 } });
      const w = await read(sim, '&type=device_change');
      expect(w.records).toEqual(sim.truth.activities().filter((a) => a.type === 'device_change'));
      expect(w.records).toHaveLength(2);
      expect(w.records).toEqual(expect.arrayContaining(batch.changes.map((c) => c.activity)));
      expect(w.empty).toBeGreaterThan(0);
      // Unfiltered, a page is always full until the end.
      const plain = await read(sim, '');
      expect(plain.empty).toBe(0);
      expect(plain.records).toEqual(sim.truth.activities());
    } finally {
      await sim.close();
    }
  });
});

describe('a walk that straddles a batch', () => {
  test('tokens issued before the batch stay valid; nothing is served twice', async () => {
    const sim = await start({ backend: 'inline' });
    try {
      sim.advance(DAY);
      const first = await call<{ activities: ActivityRecord[]; next: string }>(sim, '/v1/activities?limit=100');
      const second = await call<{ activities: ActivityRecord[]; next: string }>(sim, `/v1/activities?limit=100&start=${first.json.next}`);
      sim.changePeople();
      const rest = await walk<ActivityRecord>(sim, `/v1/activities?limit=100`, list('activities'));
      expect(rest.records.length).toBeGreaterThan(0);
      const tail = await walk<ActivityRecord>(sim, `/v1/activities?limit=100&x=1`, list('activities'));
      expect(tail.records).toEqual(rest.records);
      // Continue the old walk: ids never repeat, and it ends.
      let next = second.json.next;
      const seen = [...first.json.activities, ...second.json.activities].map((a) => a.id);
      while (next !== '') {
        const page = await call<{ activities: ActivityRecord[] | null; next: string }>(sim, `/v1/activities?limit=100&start=${next}`);
        expect(page.status).toBe(200);
        seen.push(...(page.json.activities ?? []).map((a) => a.id));
        next = page.json.next;
      }
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      await sim.close();
    }
  });
});
