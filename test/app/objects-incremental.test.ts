import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectRecord, Simulator } from 'customerio-simulator';
import {
  canonical,
  clockPast as clockPastShared,
  clockTo as clockToShared,
  DAY,
  DELETED_AT,
  feedRequests,
  fold as foldShared,
  live,
  realNow,
  setup,
  sync,
  tombstones,
  withStreamState,
  type Protocol,
  type Row,
  type Setup,
  type Sync,
} from '../helpers/change-sync.js';

/**
 * `objects` incrementally, black-box: the built CLI against a medium simulator (1,200 objects of
 * three types) over HTTP, in both protocols, through every kind of object change the simulator
 * plays between syncs (`changeObjects`: create, attribute change, delete, silent, several). After
 * each sync, the fold a destination makes of everything emitted (the newest `changed_at` per
 * type and object_id wins; a row whose newest is a tombstone is removed) is compared, record by
 * record, with what the API serves now (`truth.objectChanges.current(type)`): exactly, except the
 * objects changed silently since the last full read, which only a reconcile finds.
 */
const objectsMark = (sim: Simulator): void => void sim.changeObjects({ counts: {} });
const clockTo = (sim: Simulator, to?: number): void => clockToShared(sim, objectsMark, to);
const clockPast = (sim: Simulator, bookmark: number): Promise<void> => clockPastShared(sim, objectsMark, bookmark);
const keyOf = (record: Row): string => `${String(record['object_type_id'])}/${String(record['object_id'])}`;
const fold = (runs: Row[][], deletedAt: string): Map<string, Row> => foldShared(runs, deletedAt, keyOf);

const ATTRIBUTES = '/v1/objects/:object_type_id/:object_id/attributes';
const SEARCH = '/v1/objects';
const TYPES = '/v1/object_types';

/** What the API serves now, as the tap's rows: the hydrated object plus its identifiers at the top level. */
function truthOf(sim: Simulator): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const type of sim.truth.objectTypes()) {
    for (const [id, served] of sim.truth.objectChanges.current(type.id)) {
      const object = served as ObjectRecord & Row;
      out.set(`${type.id}/${id}`, { ...object, object_type_id: String(object.object_type_id), object_id: id, cio_object_id: object.identifiers.cio_object_id });
    }
  }
  return out;
}

function comparable(record: Row): string {
  const { changed_at: _at, _ab_cdc_deleted_at: _a, _sdc_deleted_at: _s, ...rest } = record;
  return canonical(rest);
}

/** The fold equals the objects the API serves now, but for `unsure` (changed silently: only a reconcile finds them, they must still be there). */
function expectFoldIsTruth(sim: Simulator, folded: Map<string, Row>, unsure: ReadonlySet<string> = new Set()): void {
  const truth = truthOf(sim);
  const missing = [...truth.keys()].filter((key) => !folded.has(key));
  const extra = [...folded.keys()].filter((key) => !truth.has(key));
  expect({ missing: missing.slice(0, 5), extra: extra.slice(0, 5), sizes: [folded.size, truth.size] }).toEqual({
    missing: [],
    extra: [],
    sizes: [truth.size, truth.size],
  });
  const differ = [...truth].filter(([key, served]) => !unsure.has(key) && comparable(folded.get(key) as Row) !== comparable(served)).map(([key]) => key);
  if (differ.length > 0) {
    const key = differ[0] as string;
    expect(comparable(folded.get(key) as Row), `${differ.length} differ, e.g. ${key}`).toEqual(comparable(truth.get(key) as Row));
  }
}

const hydrations = (s: Sync): number => s.requests[ATTRIBUTES] ?? 0;
const objectCount = (sim: Simulator): number => sim.truth.objectTypes().reduce((n, t) => n + sim.truth.objectChanges.current(t.id).size, 0);
const goneNow = (sim: Simulator): Set<string> => new Set(sim.truth.objectChanges.deleted().map((d) => keyOf(d as unknown as Row)));
const silentSince = (sim: Simulator, t: number): Set<string> =>
  new Set(sim.truth.objectChanges.changedSince(t, 'silent').map((d) => keyOf(d as unknown as Row)));
/** The objects the default feed names in `_o:` activities dated after `t` that still exist: each is read once. */
const namedSince = (sim: Simulator, t: number): Set<string> => {
  const gone = goneNow(sim);
  return new Set(
    sim.truth.objectChanges
      .namedInFeedSince(t)
      .map((d) => keyOf(d as unknown as Row))
      .filter((key) => !gone.has(key)),
  );
};

describe.each(['airbyte', 'singer'] as const)('%s: objects incrementally, sync after sync', (protocol: Protocol) => {
  const deletedAt = DELETED_AT[protocol];
  let s: Setup;
  const runs: Row[][] = [];
  let state: unknown;
  let fullAtSim = 0;
  let bookmark = 0;
  let lastStreamState: Row | undefined;
  const types = (): string[] => s.ws.sim.truth.objectTypes().map((t) => t.id);

  beforeAll(async () => {
    s = await setup(protocol, 'objects');
  }, 120_000);
  afterAll(async () => s?.ws.close());

  it('a first sync reads every object of every type, stamped with its start, and ends on a bookmark per type', async () => {
    fullAtSim = s.ws.sim.now();
    // The simulator's clock stands an hour behind ours and still: the bookmark is the read's start on it.
    const serverNow = s.ws.sim.now();
    const first = await sync(s, undefined);
    runs.push(first.records);
    expect(first.records).toHaveLength(objectCount(s.ws.sim));
    for (const type of types()) expect(first.logs).toContain(`INFO objects of object_types ${type}: reading everything: no bookmark yet (a first sync)`);
    const partitions = first.streamState?.['partitions'] as Record<string, Row>;
    expect(Object.keys(partitions).sort()).toEqual(types());
    bookmark = partitions['1']?.['changed_at'];
    // A little before: the simulator's clock stands still while ours runs on until the first answers.
    expect(bookmark).toBeGreaterThanOrEqual(serverNow - 10);
    expect(bookmark).toBeLessThanOrEqual(serverNow);
    for (const type of types()) {
      expect(partitions[type]).toMatchObject({ changed_at: bookmark, boundary: [], full_at: bookmark, keys: expect.any(Array) });
      expect(partitions[type]?.['keys']).toHaveLength(s.ws.sim.truth.objectChanges.current(type).size);
    }
    expect(first.records.every((r) => r['changed_at'] === bookmark)).toBe(true);
    // Search repeats an object across pages now and then: each repeat is hydrated, and emitted once.
    expect(hydrations(first)).toBeGreaterThanOrEqual(objectCount(s.ws.sim));
    expectFoldIsTruth(s.ws.sim, fold(runs, deletedAt));
    state = first.next;
    lastStreamState = first.streamState;
  }, 120_000);

  it('an idle sync sends the object types and the feed, nothing else, and emits no object', async () => {
    const idle = await sync(s, state);
    expect(idle.records).toEqual([]);
    expect(Object.keys(idle.requests).sort()).toEqual(['/v1/activities', TYPES]);
    // Three walks per type (create, attribute_change, delete).
    expect(feedRequests(idle)).toBeGreaterThanOrEqual(3 * types().length);
    expect(idle.streamState).toEqual(lastStreamState);
    state = idle.next;
  }, 120_000);

  it('after a batch of every kind of change: each named object read once, the deleted tombstoned, and the fold is the truth', async () => {
    const sim = s.ws.sim;
    await clockPast(sim, bookmark);
    const goneBefore = goneNow(sim);
    const batch = sim.changeObjects({ counts: { create: 6, attribute_change: 20, delete: 5, silent: 4, several: 4 }, seed: 21 });
    expect(Math.min(...batch.changes.map((c) => c.at))).toBeGreaterThan(bookmark);
    const named = namedSince(sim, bookmark);
    const gone = [...goneNow(sim)].filter((key) => !goneBefore.has(key));
    expect(gone).toHaveLength(5);
    const changed = await sync(s, state);
    runs.push(changed.records);
    expect(Object.keys(changed.requests).sort()).toEqual(['/v1/activities', ATTRIBUTES, TYPES].sort());
    expect(changed.requests[SEARCH]).toBeUndefined();
    // Each object the feed names is read once, one request each.
    expect(new Set(live(changed.records, deletedAt).map(keyOf))).toEqual(named);
    expect(live(changed.records, deletedAt)).toHaveLength(named.size);
    expect(hydrations(changed)).toBe(named.size);
    expect(tombstones(changed.records, deletedAt).map(keyOf).sort()).toEqual(gone.sort());
    for (const record of tombstones(changed.records, deletedAt)) expect(record['object_type_id']).toBe(keyOf(record).split('/')[0]);
    for (const record of changed.records) expect(record['changed_at']).toBeGreaterThan(bookmark - 1);
    const silent = silentSince(sim, fullAtSim);
    expect(silent.size).toBeGreaterThan(0);
    expectFoldIsTruth(sim, fold(runs, deletedAt), silent);
    // The silent changes are what is missing, as they must be: no activity names them.
    const folded = fold(runs, deletedAt);
    const truth = truthOf(sim);
    expect([...silent].some((key) => comparable(folded.get(key) as Row) !== comparable(truth.get(key) as Row))).toBe(true);
    const partitions = changed.streamState?.['partitions'] as Record<string, Row>;
    for (const type of types()) expect(partitions[type]?.['keys']).toHaveLength(sim.truth.objectChanges.current(type).size);
    bookmark = Math.max(...types().map((t) => partitions[t]?.['changed_at'] as number));
    state = changed.next;
  }, 120_000);

  it('a reconcile (objects_full_every_days: 0) finds the silent changes and tombstones objects deleted since', async () => {
    const sim = s.ws.sim;
    clockTo(sim);
    const goneBefore = goneNow(sim);
    sim.changeObjects({ counts: { delete: 3, silent: 6 }, seed: 22 });
    const gone = [...goneNow(sim)].filter((key) => !goneBefore.has(key));
    expect(gone).toHaveLength(3);
    fullAtSim = sim.now();
    const reconcile = await sync(s, state, { config: s.configFor({ objects_full_every_days: 0 }) });
    runs.push(reconcile.records);
    for (const type of types())
      expect(reconcile.logs).toContain(`INFO objects of object_types ${type}: reading everything: a full read on every sync is configured`);
    expect(feedRequests(reconcile)).toBe(0);
    expect(live(reconcile.records, deletedAt)).toHaveLength(objectCount(sim));
    expect(tombstones(reconcile.records, deletedAt).map(keyOf).sort()).toEqual(gone.sort());
    expectFoldIsTruth(sim, fold(runs, deletedAt));
    state = reconcile.next;
  }, 120_000);

  it('a bookmark older than the 30 days the feed keeps reads every object, with a WARN per type saying why', async () => {
    const old = realNow() - 31 * DAY;
    const stale = (value: Row): Row => ({
      partitions: Object.fromEntries(Object.entries(value['partitions'] as Record<string, Row>).map(([k, v]) => [k, { ...v, changed_at: old, boundary: [] }])),
    });
    const again = await sync(s, withStreamState(s, state, stale));
    runs.push(again.records);
    expect(again.logs.filter((l) => l.startsWith('WARN'))).toEqual(
      types().map(
        (type) =>
          `WARN objects of object_types ${type}: reading everything: the bookmark ${new Date(old * 1000).toISOString()} is older than the 30 days the change feed keeps, so changes may be missing from it`,
      ),
    );
    expect(live(again.records, deletedAt)).toHaveLength(objectCount(s.ws.sim));
    expect(feedRequests(again)).toBe(0);
    expectFoldIsTruth(s.ws.sim, fold(runs, deletedAt));
  }, 120_000);
});

describe.each(['airbyte', 'singer'] as const)('%s: objects killed mid-sync and restarted from the last STATE', (protocol: Protocol) => {
  const deletedAt = DELETED_AT[protocol];
  let s: Setup;

  beforeAll(async () => {
    s = await setup(protocol, 'objects', { stateEvery: 100 });
  }, 120_000);
  afterAll(async () => s?.ws.close());

  it('a first full read and then an incremental one, each SIGKILLed: the fold of what was committed and the restarts is the truth', async () => {
    const sim = s.ws.sim;
    const runs: Row[][] = [];
    const fullAtSim = sim.now();
    const killed = await sync(s, undefined, { killAfter: 500 });
    expect(killed.result.signal).toBe('SIGKILL');
    const open = Object.values(killed.streamState?.['partitions'] as Record<string, Row>).filter((p) => p['full'] !== undefined);
    expect(open.length).toBeGreaterThan(0);
    runs.push(killed.committed);
    const resumed = await sync(s, killed.next);
    runs.push(resumed.records);
    expect(resumed.logs.some((l) => / continuing the full read begun at /.test(l))).toBe(true);
    // The restart reads fewer objects than there are: the committed search pages are not read again.
    expect(hydrations(resumed)).toBeLessThan(objectCount(sim));
    expectFoldIsTruth(sim, fold(runs, deletedAt));
    const partitions = resumed.streamState?.['partitions'] as Record<string, Row>;
    const bookmark = Math.max(...Object.values(partitions).map((p) => p['changed_at'] as number));

    await clockPast(sim, bookmark);
    sim.changeObjects({ counts: { create: 10, attribute_change: 700, delete: 5, several: 10 }, seed: 23 });
    const named = namedSince(sim, bookmark);
    expect(named.size).toBeGreaterThan(500);
    const cut = await sync(s, resumed.next, { killAfter: 400 });
    expect(cut.result.signal).toBe('SIGKILL');
    runs.push(cut.committed);
    const again = await sync(s, cut.next);
    runs.push(again.records);
    const pending = Object.values(cut.streamState?.['partitions'] as Record<string, Row>).filter((p) => p['pending'] !== undefined);
    expect(pending.length).toBeGreaterThan(0);
    expect(again.logs.some((l) => / continuing an incremental read: \d+ records still to read/.test(l))).toBe(true);
    expectFoldIsTruth(sim, fold(runs, deletedAt), silentSince(sim, fullAtSim));
  }, 240_000);
});

describe('a server whose clock stands behind ours', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('airbyte', 'objects');
  }, 120_000);
  afterAll(async () => s?.ws.close());

  it('changes dated on its clock after the last read began are read, though ours had passed them', async () => {
    const sim = s.ws.sim;
    // The simulator's clock: an hour behind ours. The first read's bookmark must be on its clock.
    expect(realNow() - sim.now()).toBeGreaterThan(3000);
    const first = await sync(s, undefined);
    sim.advance(60);
    const batch = sim.changeObjects({ counts: { attribute_change: 10 }, seed: 41 });
    expect(Math.max(...batch.changes.map((c) => c.at))).toBeLessThan(realNow() - 3000);
    const next = await sync(s, first.next);
    const named = new Set(batch.changes.map((c) => `${c.object_type_id}/${c.object_id}`));
    expect(new Set(next.records.map(keyOf))).toEqual(named);
    expectFoldIsTruth(sim, fold([first.records, next.records], DELETED_AT.airbyte));
  }, 120_000);
});
