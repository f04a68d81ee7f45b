import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServedCustomer, Simulator } from 'customerio-simulator';
import { PROFILE_CHANGES } from '../../src/streams/people.js';
import {
  clockPast as clockPastShared,
  clockTo as clockToShared,
  DAY,
  DELETED_AT,
  feedRequests,
  fold as foldShared,
  live,
  realNow,
  setup as setupShared,
  sync,
  tombstones,
  withStreamState,
  type Protocol,
  type Row,
  type Setup,
  type Sync,
} from '../helpers/change-sync.js';

/**
 * `people` incrementally, black-box: the built CLI against a medium simulator (5,000 people) over
 * HTTP, in both protocols, through every kind of change the simulator plays between syncs
 * (`changePeople`). After each sync, the fold a destination makes of everything emitted (the
 * newest `changed_at` per cio_id wins; a row whose newest is a tombstone is removed) is compared,
 * record by record, with what the API serves now (`truth.people.current()`): exactly, except
 * the people changed silently (no activity) since the last full read, which only a reconcile
 * finds, and devices' `last_used`, which the simulator moves with its clock for everyone.
 * (Clock handling: test/helpers/change-sync.ts.)
 */
const peopleMark = (sim: Simulator): void => void sim.changePeople({ counts: {} });
const clockTo = (sim: Simulator, to?: number): void => clockToShared(sim, peopleMark, to);
const clockPast = (sim: Simulator, bookmark: number): Promise<void> => clockPastShared(sim, peopleMark, bookmark);
const setup = (protocol: Protocol, options: { stateEvery?: number } = {}): Promise<Setup> => setupShared(protocol, 'people', options);
const fold = (runs: Row[][], deletedAt: string): Map<string, Row> => foldShared(runs, deletedAt, (record) => record['cio_id']);

/** A record without the tap's own columns, devices' last_used set aside (the simulator moves it with the clock). */
function comparable(record: Row): Row {
  const { changed_at: _at, _ab_cdc_deleted_at: _a, _sdc_deleted_at: _s, ...rest } = record;
  return { ...rest, devices: Array.isArray(rest['devices']) ? rest['devices'].map((d: Row) => ({ ...d, last_used: 0 })) : (rest['devices'] ?? null) };
}

const bare = (served: ServedCustomer): Row => ('customer' in served ? served.customer : served) as Row;

/** The fold equals the people the API serves now, but for `unsure` (changed silently: only a reconcile finds them, they must still be there). */
function expectFoldIsTruth(sim: Simulator, folded: Map<string, Row>, unsure: ReadonlySet<string> = new Set()): void {
  const truth = sim.truth.people.current();
  const missing = [...truth.keys()].filter((cio) => !folded.has(cio));
  const extra = [...folded.keys()].filter((cio) => !truth.has(cio));
  expect({ missing: missing.slice(0, 5), extra: extra.slice(0, 5), sizes: [folded.size, truth.size] }).toEqual({
    missing: [],
    extra: [],
    sizes: [truth.size, truth.size],
  });
  const differ: string[] = [];
  for (const [cio, served] of truth) {
    if (unsure.has(cio)) continue;
    const expected = comparable({ cio_id: cio, ...bare(served) });
    if (JSON.stringify(comparable(folded.get(cio) as Row)) !== JSON.stringify(expected)) differ.push(cio);
  }
  if (differ.length > 0) {
    const cio = differ[0] as string;
    expect(comparable(folded.get(cio) as Row), `${differ.length} differ, e.g. ${cio}`).toEqual(
      comparable({ cio_id: cio, ...bare(truth.get(cio) as ServedCustomer) }),
    );
  }
}

const goneNow = (sim: Simulator): Set<string> => new Set(sim.truth.people.gone().map((g) => g.cio_id));

/** The people the default feed names in the profile-changing activities dated in [from, sim.now()]. */
function namedSince(sim: Simulator, from: number, except: ReadonlySet<string> = new Set()): Set<string> {
  const named = new Set<string>();
  for (const type of PROFILE_CHANGES) {
    for (const a of sim.truth.people.activities({ type })) {
      if (a.timestamp >= from && a.timestamp <= sim.now() && !except.has(a.id)) named.add(a.customer_identifiers?.cio_id ?? '');
    }
  }
  return named;
}

const people = live;
const hydrations = (s: Sync): number => s.requests['/v1/customers/attributes'] ?? 0;

/** Each sync's figures, printed once at the end (the README quotes them). */
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`people, incrementally (medium workspace, 5,000 people):\n${figures.join('\n')}`);
});
function note(protocol: Protocol, what: string, s: Sync, deletedAt: string): void {
  figures.push(
    `${protocol} ${what}: ${people(s.records, deletedAt).length} records, ${tombstones(s.records, deletedAt).length} tombstones; requests ${JSON.stringify(s.requests)}`,
  );
}

describe.each(['airbyte', 'singer'] as const)('%s: people incrementally, sync after sync', (protocol) => {
  const deletedAt = DELETED_AT[protocol];
  let s: Setup;
  const runs: Row[][] = [];
  let state: unknown;
  /** The workspace clock at the last full read: silent changes after it are not in the fold yet. */
  let fullAtSim = 0;
  let bookmark = 0;
  let lastStreamState: Row | undefined;

  beforeAll(async () => {
    s = await setup(protocol);
  }, 120_000);
  afterAll(async () => s?.ws.close());

  const silentSinceFull = (): Set<string> => new Set(s.ws.sim.truth.people.changedSince(fullAtSim, 'silent'));

  it('a first sync reads everyone, stamped with its start, and ends on a bookmark', async () => {
    fullAtSim = s.ws.sim.now();
    // The simulator's clock stands an hour behind ours and still: the bookmark is the read's start on it.
    const serverNow = s.ws.sim.now();
    const first = await sync(s, undefined);
    runs.push(first.records);
    note(protocol, 'first sync', first, deletedAt);
    expect(first.records).toHaveLength(s.ws.sim.truth.peopleCount());
    expect(first.logs).toContain('INFO people: reading everything: no bookmark yet (a first sync)');
    bookmark = first.streamState?.['changed_at'];
    // A little before: the simulator's clock stands still while ours runs on until the first answers.
    expect(bookmark).toBeGreaterThanOrEqual(serverNow - 10);
    expect(bookmark).toBeLessThanOrEqual(serverNow);
    expect(first.streamState).toMatchObject({ changed_at: bookmark, boundary: [], full_at: bookmark, keys: expect.any(Array) });
    expect(first.records.every((r) => r['changed_at'] === bookmark)).toBe(true);
    expect(Object.keys(first.requests).sort()).toEqual(['/v1/customers', '/v1/customers/attributes']);
    expect(first.requests['/v1/customers']).toBe(5);
    expect(hydrations(first)).toBe(50);
    expectFoldIsTruth(s.ws.sim, fold(runs, deletedAt));
    state = first.next;
    lastStreamState = first.streamState;
  }, 120_000);

  it('an idle sync sends only the feed requests and emits no person', async () => {
    const idle = await sync(s, state);
    note(protocol, 'idle sync', idle, deletedAt);
    expect(idle.records).toEqual([]);
    expect(Object.keys(idle.requests)).toEqual(['/v1/activities']);
    // One walk per activity type, nine; rarer types page on through the simulator's scan budget.
    expect(feedRequests(idle)).toBeGreaterThanOrEqual(PROFILE_CHANGES.length + 1);
    expect(idle.streamState).toEqual(lastStreamState);
    state = idle.next;
  }, 120_000);

  it('after a batch of every kind of change: each named person read once, the gone tombstoned, and the fold is the truth', async () => {
    const sim = s.ws.sim;
    await clockPast(sim, bookmark);
    const goneBefore = goneNow(sim);
    const batch = sim.changePeople({
      counts: {
        attribute_change: 150,
        profile_create: 20,
        profile_delete: 10,
        profile_merge: 10,
        device_change: 30,
        unsubscribed_email: 10,
        topic_unsubscribed_email: 10,
        silent: 10,
        several: 10,
      },
      seed: 7,
    });
    expect(Math.min(...batch.changes.map((c) => c.at))).toBeGreaterThan(bookmark);
    const named = namedSince(sim, bookmark);
    const gone = [...goneNow(sim)].filter((cio) => !goneBefore.has(cio));
    const changed = await sync(s, state);
    runs.push(changed.records);
    note(protocol, `changed sync (${batch.changes.length} changes)`, changed, deletedAt);
    expect(Object.keys(changed.requests).sort()).toEqual(['/v1/activities', '/v1/customers/attributes']);
    // Each person the feed names is read once, 100 to a request.
    expect(new Set(people(changed.records, deletedAt).map((r) => r['cio_id']))).toEqual(named);
    expect(people(changed.records, deletedAt)).toHaveLength(named.size);
    expect(hydrations(changed)).toBe(Math.ceil(named.size / 100));
    expect(
      tombstones(changed.records, deletedAt)
        .map((r) => r['cio_id'])
        .sort(),
    ).toEqual([...gone].sort());
    expect(gone.length).toBe(20);
    // Stamped with the newest activity naming them, before the sync started.
    for (const record of changed.records) expect(record['changed_at']).toBeGreaterThan(bookmark - 1);
    expectFoldIsTruth(sim, fold(runs, deletedAt), silentSinceFull());
    // The silent changes of the batch are the ones missing, as they must be: no activity names them.
    const silent = silentSinceFull();
    expect(silent.size).toBeGreaterThan(0);
    const folded = fold(runs, deletedAt);
    const truth = sim.truth.people.current();
    expect(
      [...silent].some(
        (cio) => JSON.stringify(comparable(folded.get(cio) as Row)) !== JSON.stringify(comparable({ cio_id: cio, ...bare(truth.get(cio) as ServedCustomer) })),
      ),
    ).toBe(true);
    bookmark = changed.streamState?.['changed_at'];
    expect(changed.streamState?.['boundary'].length).toBeGreaterThan(0);
    state = changed.next;
  }, 120_000);

  it('a reconcile (people_full_every_days: 0) finds the silent changes and tombstones people deleted since', async () => {
    const sim = s.ws.sim;
    clockTo(sim);
    const goneBefore = goneNow(sim);
    sim.changePeople({ counts: { profile_delete: 4, profile_merge: 3, silent: 8 }, seed: 8 });
    const gone = [...goneNow(sim)].filter((cio) => !goneBefore.has(cio));
    expect(gone).toHaveLength(7);
    fullAtSim = sim.now();
    const reconcile = await sync(s, state, { config: s.configFor({ people_full_every_days: 0 }) });
    runs.push(reconcile.records);
    note(protocol, 'reconcile', reconcile, deletedAt);
    expect(reconcile.logs).toContain('INFO people: reading everything: a full read on every sync is configured');
    expect(feedRequests(reconcile)).toBe(0);
    expect(people(reconcile.records, deletedAt)).toHaveLength(sim.truth.peopleCount());
    expect(
      tombstones(reconcile.records, deletedAt)
        .map((r) => r['cio_id'])
        .sort(),
    ).toEqual([...gone].sort());
    expectFoldIsTruth(sim, fold(runs, deletedAt));
    bookmark = reconcile.streamState?.['changed_at'];
    expect(reconcile.streamState).toMatchObject({ boundary: [], full_at: bookmark });
    state = reconcile.next;
  }, 120_000);

  it('activities sharing the bookmark’s second are neither missed nor read twice', async () => {
    const sim = s.ws.sim;
    clockTo(sim);
    const L = sim.now();
    // Both batches at one second (the clock stands still between them).
    const first = sim.changePeople({ counts: { attribute_change: 30, device_change: 5 }, seed: 9 });
    expect(first.changes.every((c) => c.at === L)).toBe(true);
    const a = await sync(s, state);
    runs.push(a.records);
    expect(a.streamState).toMatchObject({ changed_at: L });
    const boundary = new Set<string>(a.streamState?.['boundary']);
    for (const c of first.changes) expect(boundary.has(c.activity?.id as string)).toBe(true);
    const second = sim.changePeople({ counts: { attribute_change: 12, profile_create: 3 }, seed: 10 });
    expect(second.changes.every((c) => c.at === L)).toBe(true);
    const b = await sync(s, a.next);
    runs.push(b.records);
    note(protocol, 'sync of a second shared with the bookmark', b, deletedAt);
    // Exactly the people the second batch named: none of the first's is read again.
    expect(new Set(people(b.records, deletedAt).map((r) => r['cio_id']))).toEqual(namedSince(sim, L, boundary));
    expect(new Set(people(b.records, deletedAt).map((r) => r['cio_id']))).toEqual(new Set(second.changes.map((c) => c.cio_id)));
    expect(b.streamState).toMatchObject({ changed_at: L });
    expect(b.streamState?.['boundary'].length).toBe(boundary.size + second.changes.length);
    expectFoldIsTruth(sim, fold(runs, deletedAt), silentSinceFull());
    state = b.next;
  }, 120_000);

  it('a bookmark older than the 30 days the feed keeps reads everyone, with a WARN saying why', async () => {
    const old = realNow() - 31 * DAY;
    const stale = (value: Row): Row => ({ ...value, changed_at: old, boundary: [] });
    const input = withStreamState(s, state, stale);
    fullAtSim = s.ws.sim.now();
    const again = await sync(s, input);
    runs.push(again.records);
    expect(again.logs.filter((l) => l.startsWith('WARN'))).toEqual([
      `WARN people: reading everything: the bookmark ${new Date(old * 1000).toISOString()} is older than the 30 days the change feed keeps, so changes may be missing from it`,
    ]);
    expect(people(again.records, deletedAt)).toHaveLength(s.ws.sim.truth.peopleCount());
    expect(feedRequests(again)).toBe(0);
    expectFoldIsTruth(s.ws.sim, fold(runs, deletedAt));
  }, 120_000);
});

describe.each(['airbyte', 'singer'] as const)('%s: people killed mid-sync and restarted from the last STATE', (protocol) => {
  const deletedAt = DELETED_AT[protocol];
  let s: Setup;

  beforeAll(async () => {
    s = await setup(protocol, { stateEvery: 200 });
  }, 120_000);
  afterAll(async () => s?.ws.close());

  it('a first full read and then an incremental one, each SIGKILLed: the fold of what was committed and the restarts is the truth', async () => {
    const sim = s.ws.sim;
    const runs: Row[][] = [];
    const fullAtSim = sim.now();
    // The first full read, killed a third of the way.
    const killed = await sync(s, undefined, { killAfter: 1700 });
    expect(killed.result.signal).toBe('SIGKILL');
    expect(killed.streamState?.['full']?.['state']?.['resume']).toBeDefined();
    runs.push(killed.committed);
    const resumed = await sync(s, killed.next);
    runs.push(resumed.records);
    expect(resumed.logs.some((l) => l.startsWith('INFO people: continuing the full read begun at'))).toBe(true);
    // Nothing committed is read again: the restart reads the search pages after the checkpoint.
    const committed = new Set(killed.committed.map((r) => r['cio_id']));
    expect(resumed.records.filter((r) => committed.has(r['cio_id']))).toEqual([]);
    expect(resumed.streamState).toMatchObject({ changed_at: killed.streamState?.['full']['started'], boundary: [] });
    expectFoldIsTruth(sim, fold(runs, deletedAt));
    const bookmark = resumed.streamState?.['changed_at'] as number;

    // Changes naming about 500 people; the incremental read is killed while reading them again.
    await clockPast(sim, bookmark);
    sim.changePeople({
      counts: { attribute_change: 400, profile_delete: 10, profile_merge: 10, device_change: 40, profile_create: 20, several: 20 },
      seed: 11,
    });
    const named = namedSince(sim, bookmark);
    expect(named.size).toBeGreaterThan(400);
    const cut = await sync(s, resumed.next, { killAfter: 250 });
    expect(cut.result.signal).toBe('SIGKILL');
    runs.push(cut.committed);
    const again = await sync(s, cut.next);
    runs.push(again.records);
    // A STATE between hydrate batches (every 200 records) kept what was still to read: the
    // restart reads only that, and no feed.
    const left = Object.keys(cut.streamState?.['pending']?.['left'] ?? {});
    expect(left.length).toBeGreaterThan(0);
    expect(feedRequests(again)).toBe(0);
    expect(again.records.map((r) => r['cio_id']).sort()).toEqual(left.sort());
    expect(hydrations(again)).toBe(Math.ceil(left.length / 100));
    expect(again.logs).toContain(`INFO people: continuing an incremental read: ${left.length} records still to read`);
    expectFoldIsTruth(sim, fold(runs, deletedAt), new Set(sim.truth.people.changedSince(fullAtSim, 'silent')));
  }, 240_000);
});
