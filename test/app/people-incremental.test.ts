import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import type { ServedCustomer, Simulator } from 'customerio-simulator';
import { PROFILE_CHANGES } from '../../src/streams/people.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';
import { strictAjv } from '../helpers/strict-ajv.js';

/**
 * `people` incrementally, black-box: the built CLI against a medium simulator (5,000 people) over
 * HTTP, in both protocols, through every kind of change the simulator plays between syncs
 * (`changePeople`). After each sync, the fold a destination makes of everything emitted (the
 * newest `changed_at` per cio_id wins; a row whose newest is a tombstone is removed) is compared,
 * record by record, with what the API serves now (`truth.people.current()`): exactly, except
 * the people changed silently (no activity) since the last full read, which only a reconcile
 * finds, and devices' `last_used`, which the simulator moves with its clock for everyone.
 *
 * The simulator's clock stands an hour behind the real one, and the tap's bookmark is the real
 * time a sync started: before each change batch the workspace clock is moved to just behind the
 * real one, so changes are dated after the last sync started and before the next one does.
 */
type Row = Record<string, any>;
type Protocol = 'airbyte' | 'singer';

const DAY = 86_400;
const DELETED_AT: Record<Protocol, string> = { airbyte: '_ab_cdc_deleted_at', singer: '_sdc_deleted_at' };
const realNow = (): number => Math.floor(Date.now() / 1000);

interface Setup {
  protocol: Protocol;
  ws: TestWorkspace;
  configFor(extra?: Row): string;
  catalog: string;
  /** The people schema the Airbyte catalog declares (Singer: each run's SCHEMA message). */
  airbyteSchema: object | undefined;
}

async function setup(protocol: Protocol, options: { stateEvery?: number } = {}): Promise<Setup> {
  const ws = await testWorkspace({ scale: 'medium', rateLimit: 0 });
  const configFor = (extra: Row = {}): string =>
    writeFiles({ 'c.json': { ...ws.config, requests_per_second: 100, ...(options.stateEvery ? { state_every_records: options.stateEvery } : {}), ...extra } })[
      'c.json'
    ] as string;
  const config = configFor();
  if (protocol === 'airbyte') {
    const catalog = (await configuredCatalog(config, { people: 'incremental' })) as { streams: Row[] };
    const file = writeFiles({ 'a.json': catalog })['a.json'] as string;
    return { protocol, ws, configFor, catalog: file, airbyteSchema: catalog.streams[0]?.['stream']['json_schema'] };
  }
  const discovered = JSON.parse((await runCli(['--config', config, '--discover'])).stdout) as Row;
  const singer = {
    streams: (discovered['streams'] as Row[])
      .filter((s) => s['tap_stream_id'] === 'people')
      .map((s) => ({
        ...s,
        metadata: (s['metadata'] as Row[]).map((m) =>
          m['breadcrumb'].length > 0 ? m : { ...m, metadata: { ...m['metadata'], selected: true, 'replication-method': 'INCREMENTAL' } },
        ),
      })),
  };
  return { protocol, ws, configFor, catalog: writeFiles({ 's.json': singer })['s.json'] as string, airbyteSchema: undefined };
}

interface Sync {
  result: CliResult;
  records: Row[];
  /** Records before the last STATE: what a destination has committed when the tap dies. */
  committed: Row[];
  /** The people stream's last state, and what the next run is given as --state. */
  streamState: Row | undefined;
  next: unknown;
  logs: string[];
  /** API requests by route during this sync. */
  requests: Record<string, number>;
}

/** One sync of people; SIGKILLed once `killAfter` people records have come out, if given. */
async function sync(s: Setup, state: unknown, options: { config?: string; killAfter?: number } = {}): Promise<Sync> {
  const config = options.config ?? s.configFor();
  const args = s.protocol === 'airbyte' ? ['read', '--config', config, '--catalog', s.catalog] : ['--config', config, '--catalog', s.catalog];
  if (state !== undefined) args.push('--state', writeFiles({ 'state.json': state })['state.json'] as string);
  s.ws.sim.resetStats();
  let seen = 0;
  const result = await runCli(args, {
    timeoutMs: 180_000,
    onMessage: (message, child) => {
      if (options.killAfter === undefined || message['type'] !== 'RECORD') return;
      if (++seen === options.killAfter) child.kill('SIGKILL');
    },
  });
  const requests = { ...s.ws.sim.stats().byPath };
  if (options.killAfter === undefined) expect(result.code, result.stderr.slice(-2000)).toBe(0);
  const lastState = result.messages.findLastIndex((m) => m['type'] === 'STATE');
  const last = result.messages[lastState];
  const streamState = s.protocol === 'airbyte' ? last?.['state']?.['stream']?.['stream_state'] : last?.['value']?.['bookmarks']?.['people'];
  const logs =
    s.protocol === 'airbyte'
      ? ofType(result.messages, 'LOG').map((m) => `${m['log']['level']} ${m['log']['message']}`)
      : result.stderr
          .split('\n')
          .filter((line) => /^(INFO|WARNING) /.test(line))
          .map((line) => line.replace(/^WARNING /, 'WARN '));
  const out: Sync = {
    result,
    records: recordsOf(result.messages, 'people'),
    committed: recordsOf(result.messages.slice(0, Math.max(0, lastState)), 'people'),
    streamState,
    next: last === undefined ? state : s.protocol === 'airbyte' ? [last['state']] : last['value'],
    logs,
    requests,
  };
  expectValid(s, result, out.records);
  return out;
}

/** Every record fits the schema the tap declared for it, with strict Ajv. */
const validators = new WeakMap<object, ValidateFunction>();
function expectValid(s: Setup, result: CliResult, records: Row[]): void {
  const schema = s.airbyteSchema ?? ofType(result.messages, 'SCHEMA').find((m) => m['stream'] === 'people')?.['schema'];
  if (records.length === 0) return;
  expect(schema).toBeDefined();
  let validate = validators.get(schema as object);
  if (!validate) {
    validate = strictAjv().compile(schema as object);
    validators.set(schema as object, validate);
  }
  for (const record of records) expect(validate(record), `${JSON.stringify(validate.errors)} in ${JSON.stringify(record).slice(0, 200)}`).toBe(true);
  for (const record of records) expect(Number.isInteger(record['changed_at'])).toBe(true);
}

/** What a destination holds after these runs: per cio_id the newest changed_at (a later run wins a tie), tombstoned rows removed. */
function fold(runs: Row[][], deletedAt: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const records of runs) {
    for (const record of records) {
      const before = rows.get(record['cio_id']);
      if (before === undefined || record['changed_at'] >= before['changed_at']) rows.set(record['cio_id'], record);
    }
  }
  for (const [cio, record] of rows) if (record[deletedAt] !== undefined && record[deletedAt] !== null) rows.delete(cio);
  return rows;
}

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

/**
 * Moves the workspace clock to `to` (default: a second behind the real clock) and applies an
 * empty batch there, so the next batch's changes are dated after it.
 */
function clockTo(sim: Simulator, to = realNow() - 1): void {
  if (to > sim.now()) sim.advance(to - sim.now());
  sim.changePeople({ counts: {} });
}

/**
 * The next batch's changes dated after `bookmark` (the start of the last sync) and before the
 * next sync starts: an empty batch just after the bookmark, then the clock a second behind the
 * real one, waiting until that is later.
 */
async function clockPast(sim: Simulator, bookmark: number): Promise<void> {
  while (realNow() - 1 <= bookmark + 1) await new Promise((resolve) => setTimeout(resolve, 250));
  clockTo(sim, bookmark + 1);
  clockTo(sim);
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

const people = (records: Row[], deletedAt: string): Row[] => records.filter((r) => r[deletedAt] === undefined || r[deletedAt] === null);
const tombstones = (records: Row[], deletedAt: string): Row[] => records.filter((r) => r[deletedAt] !== undefined && r[deletedAt] !== null);
const feedRequests = (s: Sync): number => s.requests['/v1/activities'] ?? 0;
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
    const before = realNow();
    const first = await sync(s, undefined);
    runs.push(first.records);
    note(protocol, 'first sync', first, deletedAt);
    expect(first.records).toHaveLength(s.ws.sim.truth.peopleCount());
    expect(first.logs).toContain('INFO people: reading everyone: no bookmark yet (a first sync)');
    bookmark = first.streamState?.['changed_at'];
    expect(bookmark).toBeGreaterThanOrEqual(before);
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
    expect(reconcile.logs).toContain('INFO people: reading everyone: a full read on every sync is configured');
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
    const input =
      protocol === 'airbyte'
        ? (state as Row[]).map((m) => ({ ...m, stream: { ...m['stream'], stream_state: stale(m['stream']['stream_state']) } }))
        : { ...(state as Row), bookmarks: { ...(state as Row)['bookmarks'], people: stale((state as Row)['bookmarks']['people']) } };
    fullAtSim = s.ws.sim.now();
    const again = await sync(s, input);
    runs.push(again.records);
    expect(again.logs.filter((l) => l.startsWith('WARN'))).toEqual([
      `WARN people: reading everyone: the bookmark ${new Date(old * 1000).toISOString()} is older than the 30 days the change feed keeps, so changes may be missing from it`,
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
