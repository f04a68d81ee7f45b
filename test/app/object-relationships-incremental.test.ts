import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'customerio-simulator';
import {
  canonical,
  clockPast,
  clockTo,
  DELETED_AT,
  feedRequests,
  fold as foldShared,
  live,
  setup,
  sync,
  tombstones,
  type Protocol,
  type Row,
  type Setup,
} from '../helpers/change-sync.js';

/**
 * `object_relationships` (the people related to each object) incrementally, black-box: the built
 * CLI against a medium simulator over HTTP, in both protocols. Between syncs the simulator adds
 * and removes relationships (each with its `_o:<type>:add_relationship|delete_relationship`
 * activity), deletes objects, and deletes, merges and changes people (who leave or change every
 * list without an activity naming the object). After each sync the fold a destination makes
 * (newest `changed_at` per type, object and person; tombstoned rows removed) is compared with
 * what the API serves now (`truth.relationships.all(type)`).
 */
const mark = (sim: Simulator): void => {
  sim.changeObjects({ counts: {} });
  sim.changePeople({ counts: {} });
};
const keyOf = (record: Row): string => `${String(record['object_type_id'])}/${String(record['object_id'])}/${String(record['cio_id'])}`;
const fold = (runs: Row[][], deletedAt: string): Map<string, Row> => foldShared(runs, deletedAt, keyOf);
const LIST = '/v1/objects/:object_type_id/:object_id/relationships';

/** What the API serves now, as the tap's rows: each related person with the object asked for and its cio_id at the top level. */
function truthOf(sim: Simulator): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const type of sim.truth.objectTypes()) {
    for (const [objectId, items] of sim.truth.relationships.all(type.id)) {
      for (const item of items) {
        const row: Row = { object_id: objectId, ...item, object_type_id: String(item.object_type_id), cio_id: item.identifiers.cio_id };
        out.set(keyOf(row), row);
      }
    }
  }
  return out;
}

function comparable(record: Row): string {
  const { changed_at: _at, _ab_cdc_deleted_at: _a, _sdc_deleted_at: _s, ...rest } = record;
  return canonical(rest);
}

/** The fold equals what the API serves, but for relationships of the objects in `unsure` (changed silently: only a reconcile finds them). */
function expectFoldIsTruth(sim: Simulator, folded: Map<string, Row>, unsure: ReadonlySet<string> = new Set()): void {
  const truth = truthOf(sim);
  const object = (key: string): string => key.split('/').slice(0, 2).join('/');
  const missing = [...truth.keys()].filter((key) => !folded.has(key) && !unsure.has(object(key)));
  const extra = [...folded.keys()].filter((key) => !truth.has(key) && !unsure.has(object(key)));
  const differ = [...truth].filter(([key, row]) => folded.has(key) && comparable(folded.get(key) as Row) !== comparable(row)).map(([key]) => key);
  expect({ missing: missing.slice(0, 5), extra: extra.slice(0, 5), differ: differ.filter((key) => !unsure.has(object(key))).slice(0, 5) }).toEqual({
    missing: [],
    extra: [],
    differ: [],
  });
}

const lists = (s: { requests: Record<string, number> }): number => s.requests[LIST] ?? 0;
const objectCount = (sim: Simulator): number => sim.truth.objectTypes().reduce((n, t) => n + sim.truth.objectChanges.current(t.id).size, 0);
const silentSince = (sim: Simulator, t: number): Set<string> =>
  new Set(sim.truth.relationships.changedSince(t, 'silent').map((r) => `${r.object_type_id}/${r.object_id}`));

describe.each(['airbyte', 'singer'] as const)('%s: object relationships incrementally, sync after sync', (protocol: Protocol) => {
  const deletedAt = DELETED_AT[protocol];
  let s: Setup;
  const runs: Row[][] = [];
  let state: unknown;
  let bookmark = 0;
  const types = (): string[] => s.ws.sim.truth.objectTypes().map((t) => t.id);
  const newestOf = (streamState: Row | undefined): number =>
    Math.max(...Object.values((streamState?.['partitions'] ?? {}) as Record<string, Row>).map((p) => p['changed_at'] as number));

  beforeAll(async () => {
    s = await setup(protocol, 'object_relationships');
  }, 120_000);
  afterAll(async () => s?.ws.close());

  it('a first sync lists the relationships of every object, stamped with its start, and keeps a bookmark per type', async () => {
    const first = await sync(s, undefined);
    runs.push(first.records);
    expect(first.records.length).toBe(truthOf(s.ws.sim).size);
    expect(first.records.length).toBeGreaterThan(objectCount(s.ws.sim));
    // One list request per object at least; lists longer than a page (100) page on.
    expect(lists(first)).toBeGreaterThanOrEqual(objectCount(s.ws.sim));
    const partitions = first.streamState?.['partitions'] as Record<string, Row>;
    expect(Object.keys(partitions).sort()).toEqual(types());
    expectFoldIsTruth(s.ws.sim, fold(runs, deletedAt));
    bookmark = newestOf(first.streamState);
    state = first.next;
  }, 180_000);

  it('an idle sync lists nothing and emits nothing', async () => {
    const idle = await sync(s, state);
    expect(idle.records).toEqual([]);
    expect(Object.keys(idle.requests).sort()).toEqual(['/v1/activities', '/v1/object_types']);
    state = idle.next;
  }, 120_000);

  it('after relationships, objects and people changed: only the objects named (or holding a person named) are listed again, and the fold is the truth', async () => {
    const sim = s.ws.sim;
    await clockPast(sim, mark, bookmark);
    const before = truthOf(sim);
    sim.changeObjects({ counts: { add_relationship: 8, delete_relationship: 6, relationship_attribute_change: 3, delete: 2 }, seed: 31 });
    sim.changePeople({ counts: { profile_delete: 6, profile_merge: 4, attribute_change: 60 }, seed: 32 });
    const after = truthOf(sim);
    const gone = [...before.keys()].filter((key) => !after.has(key));
    expect(gone.length).toBeGreaterThan(6);
    const changed = await sync(s, state);
    runs.push(changed.records);
    expect(changed.requests['/v1/objects']).toBeUndefined();
    // Far fewer lists than objects: only those the feed names, directly or through a person.
    expect(lists(changed)).toBeGreaterThan(0);
    expect(lists(changed)).toBeLessThan(objectCount(sim) / 4);
    expect(feedRequests(changed)).toBeGreaterThan(0);
    expect(tombstones(changed.records, deletedAt).map(keyOf).sort()).toEqual(gone.sort());
    for (const record of live(changed.records, deletedAt)) expect(after.has(keyOf(record))).toBe(true);
    expectFoldIsTruth(sim, fold(runs, deletedAt));
    bookmark = newestOf(changed.streamState);
    state = changed.next;
  }, 120_000);

  it('silent relationship changes wait for the reconcile (objects_full_every_days: 0), which finds them', async () => {
    const sim = s.ws.sim;
    clockTo(sim, mark);
    // The batch is dated at the clock, which has not moved since clockTo.
    const since = sim.now() - 1;
    sim.changeObjects({ counts: { silent_relationship: 6 }, seed: 33 });
    const silent = silentSince(sim, since);
    expect(silent.size).toBeGreaterThan(0);
    const quiet = await sync(s, state);
    runs.push(quiet.records);
    expect(lists(quiet)).toBe(0);
    expectFoldIsTruth(sim, fold(runs, deletedAt), silent);
    const reconcile = await sync(s, quiet.next, { config: s.configFor({ objects_full_every_days: 0 }) });
    runs.push(reconcile.records);
    expect(feedRequests(reconcile)).toBe(0);
    expectFoldIsTruth(sim, fold(runs, deletedAt));
  }, 180_000);
});

describe.each(['airbyte', 'singer'] as const)('%s: object relationships killed mid-sync and restarted from the last STATE', (protocol: Protocol) => {
  const deletedAt = DELETED_AT[protocol];
  let s: Setup;

  beforeAll(async () => {
    s = await setup(protocol, 'object_relationships', { stateEvery: 100 });
  }, 120_000);
  afterAll(async () => s?.ws.close());

  it('a first full read and then an incremental one, each SIGKILLed: the fold of what was committed and the restarts is the truth', async () => {
    const sim = s.ws.sim;
    const runs: Row[][] = [];
    const killed = await sync(s, undefined, { killAfter: 1200 });
    expect(killed.result.signal).toBe('SIGKILL');
    runs.push(killed.committed);
    const resumed = await sync(s, killed.next);
    runs.push(resumed.records);
    expect(resumed.logs.some((l) => / continuing the full read begun at /.test(l))).toBe(true);
    expect(lists(resumed)).toBeLessThan(objectCount(sim));
    expectFoldIsTruth(sim, fold(runs, deletedAt));
    const partitions = resumed.streamState?.['partitions'] as Record<string, Row>;
    const bookmark = Math.max(...Object.values(partitions).map((p) => p['changed_at'] as number));

    await clockPast(sim, mark, bookmark);
    sim.changeObjects({ counts: { add_relationship: 300, delete_relationship: 100 }, seed: 34 });
    sim.changePeople({ counts: { profile_delete: 10, attribute_change: 200 }, seed: 35 });
    const cut = await sync(s, resumed.next, { killAfter: 250 });
    expect(cut.result.signal).toBe('SIGKILL');
    runs.push(cut.committed);
    const again = await sync(s, cut.next);
    runs.push(again.records);
    expectFoldIsTruth(sim, fold(runs, deletedAt));
  }, 300_000);
});
