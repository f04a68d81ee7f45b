import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, REPO_ROOT, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';
import { strictAjv } from '../helpers/strict-ajv.js';
import type { DeletedEntity, GroundTruth } from 'customerio-simulator';

type Row = Record<string, any>;
type Protocol = 'airbyte' | 'singer';

const TARGET = join(REPO_ROOT, 'test', 'helpers', 'target.mjs');

/** The streams read whole on every sync, each with the key its tombstones carry. */
const STREAMS: Record<string, { kind: DeletedEntity['kind']; key: string[]; cursor: string }> = {
  campaigns: { kind: 'campaign', key: ['id'], cursor: 'updated' },
  campaigns_actions: { kind: 'campaign_action', key: ['id'], cursor: 'updated' },
  newsletters: { kind: 'newsletter', key: ['id'], cursor: 'updated' },
  newsletter_variants: { kind: 'newsletter_variant', key: ['newsletter_id', 'id'], cursor: 'updated' },
  broadcasts: { kind: 'broadcast', key: ['id'], cursor: 'updated' },
  broadcast_actions: { kind: 'broadcast_action', key: ['broadcast_id', 'id'], cursor: 'updated' },
  transactional_messages: { kind: 'transactional_message', key: ['id'], cursor: 'updated_at' },
  segments: { kind: 'segment', key: ['id'], cursor: 'updated_at' },
  snippets: { kind: 'snippet', key: ['name'], cursor: 'updated_at' },
  collections: { kind: 'collection', key: ['id'], cursor: 'updated_at' },
};
const NAMES = Object.keys(STREAMS);
const DELETED_AT: Record<Protocol, string> = { airbyte: '_ab_cdc_deleted_at', singer: '_sdc_deleted_at' };

const keyText = (parts: unknown[]): string => parts.map(String).join('|');

/** What the API serves now, per stream, as key text. */
function currentKeys(truth: GroundTruth, stream: string): string[] {
  const ids = (rows: Row[], ...fields: string[]): string[] => rows.map((r) => keyText(fields.map((f) => r[f])));
  switch (stream) {
    case 'campaigns':
      return ids(truth.campaigns() as Row[], 'id');
    case 'campaigns_actions':
      return (truth.campaigns() as Row[]).flatMap((c) => ids(truth.campaignActions(c['id']) as Row[], 'id'));
    case 'newsletters':
      return ids(truth.newsletters() as Row[], 'id');
    case 'newsletter_variants':
      return (truth.newsletters() as Row[]).flatMap((n) => (truth.newsletterContents(n['id']) as Row[]).map((v) => keyText([n['id'], v['id']])));
    case 'broadcasts':
      return ids(truth.broadcasts() as Row[], 'id');
    case 'broadcast_actions':
      return (truth.broadcasts() as Row[]).flatMap((b) => (truth.broadcastActions(b['id']) as Row[]).map((a) => keyText([b['id'], a['id']])));
    case 'transactional_messages':
      return ids(truth.transactional() as Row[], 'id');
    case 'segments':
      return ids(truth.segments() as Row[], 'id');
    case 'snippets':
      return ids(truth.snippets() as Row[], 'name');
    case 'collections':
      return ids(truth.collections() as Row[], 'id');
    default:
      throw new Error(stream);
  }
}

/** The key a tombstone of a deleted entity carries. */
function deletedKey(entity: DeletedEntity): { stream: string; key: string } {
  const stream = Object.entries(STREAMS).find(([, s]) => s.kind === entity.kind)?.[0] as string;
  const parts = STREAMS[stream]?.key.length === 2 ? [entity.parent, entity.id] : [entity.id];
  return { stream, key: keyText(parts) };
}

/** One of each kind: a parent with children (they go with it), and a child of another parent. */
function pickDeletes(truth: GroundTruth): DeletedEntity[] {
  const withChildren = (parents: Row[], children: (id: number) => Row[]): Row[] => parents.filter((p) => children(p['id']).length >= 2);
  const campaigns = withChildren(truth.campaigns() as Row[], (id) => truth.campaignActions(id) as Row[]);
  const newsletters = withChildren(truth.newsletters() as Row[], (id) => truth.newsletterContents(id) as Row[]);
  const broadcasts = withChildren(truth.broadcasts() as Row[], (id) => truth.broadcastActions(id) as Row[]);
  const [campaign, other] = campaigns.slice(-2) as [Row, Row];
  const [newsletter, otherNewsletter] = newsletters.slice(-2) as [Row, Row];
  const [broadcast, otherBroadcast] = broadcasts.slice(-2) as [Row, Row];
  const segments = truth.segments() as Row[];
  const parents = truth.deletedParents() as Row;
  const segment = segments.filter((s) => !Object.values(parents).flat().includes(s['id'])).at(-1) as Row;
  return [
    { kind: 'campaign', id: campaign['id'] },
    { kind: 'campaign_action', id: (truth.campaignActions(other['id']) as Row[])[0]?.['id'], parent: other['id'] },
    { kind: 'newsletter', id: newsletter['id'] },
    { kind: 'newsletter_variant', id: (truth.newsletterContents(otherNewsletter['id']) as Row[])[0]?.['id'], parent: otherNewsletter['id'] },
    { kind: 'broadcast', id: broadcast['id'] },
    { kind: 'broadcast_action', id: (truth.broadcastActions(otherBroadcast['id']) as Row[])[0]?.['id'], parent: otherBroadcast['id'] },
    { kind: 'transactional_message', id: (truth.transactional() as Row[]).at(-1)?.['id'] },
    { kind: 'segment', id: segment['id'] },
    { kind: 'snippet', id: (truth.snippets() as Row[])[0]?.['name'] },
    { kind: 'collection', id: (truth.collections() as Row[])[0]?.['id'] },
  ];
}

function tombstonesOf(result: CliResult, protocol: Protocol): Array<{ stream: string; data: Row }> {
  const field = DELETED_AT[protocol];
  return result.messages
    .filter((m) => m['type'] === 'RECORD')
    .map((m) =>
      protocol === 'singer'
        ? { stream: m['stream'] as string, data: m['record'] as Row }
        : { stream: m['record']['stream'] as string, data: m['record']['data'] as Row },
    )
    .filter((r) => r.data[field] !== undefined && r.data[field] !== null);
}

function lastAirbyteStates(result: CliResult): Row[] {
  const byStream = new Map<string, Row>();
  for (const m of ofType(result.messages, 'STATE')) byStream.set(m['state']['stream']['stream_descriptor']['name'], m['state']);
  return [...byStream.values()];
}

function lastSingerState(result: CliResult): Row {
  return ofType(result.messages, 'STATE').at(-1)?.['value'] as Row;
}

/** An Airbyte destination in append + dedup mode: newest cursor wins per key; a row whose newest is a tombstone is deleted. */
function dedupAirbyte(syncs: CliResult[]): Map<string, Map<string, Row>> {
  const tables = new Map<string, Map<string, Row>>();
  for (const sync of syncs) {
    for (const m of sync.messages) {
      if (m['type'] !== 'RECORD') continue;
      const { stream, data } = m['record'] as { stream: string; data: Row };
      const spec = STREAMS[stream];
      if (!spec) continue;
      const table = tables.get(stream) ?? new Map<string, Row>();
      tables.set(stream, table);
      const key = keyText(spec.key.map((f) => data[f]));
      const held = table.get(key);
      if (!held || Number(data[spec.cursor]) >= Number(held[spec.cursor])) table.set(key, data);
    }
  }
  for (const table of tables.values()) for (const [key, row] of table) if (row['_ab_cdc_deleted_at']) table.delete(key);
  return tables;
}

describe('tombstones: deletes reach the warehouse', () => {
  let ws: TestWorkspace;
  let airbyteCatalog: string;
  let singerCatalog: string;
  const first = new Map<Protocol, CliResult>();
  let deleted: DeletedEntity[];
  let before: Map<string, string[]>;

  beforeAll(async () => {
    ws = await testWorkspace();
    airbyteCatalog = writeFiles({ 'a.json': await configuredCatalog(ws.configPath, Object.fromEntries(NAMES.map((n) => [n, 'incremental']))) })[
      'a.json'
    ] as string;
    const discovered = JSON.parse((await runCli(['--config', ws.configPath, '--discover'])).stdout) as Row;
    singerCatalog = writeFiles({
      's.json': {
        streams: discovered['streams']
          .filter((s: Row) => NAMES.includes(s['tap_stream_id']))
          .map((s: Row) => ({
            ...s,
            metadata: s['metadata'].map((m: Row) =>
              m['breadcrumb'].length > 0 ? m : { ...m, metadata: { ...m['metadata'], selected: true, 'replication-method': 'INCREMENTAL' } },
            ),
          })),
      },
    })['s.json'] as string;
    before = new Map(NAMES.map((n) => [n, currentKeys(ws.sim.truth, n)]));
    first.set('airbyte', await runCli(['read', '--config', ws.configPath, '--catalog', airbyteCatalog]));
    first.set('singer', await runCli(['--config', ws.configPath, '--catalog', singerCatalog]));
    ws.sim.deleteEntities(pickDeletes(ws.sim.truth));
    deleted = ws.sim.truth.deletedEntities();
  }, 180_000);
  afterAll(async () => ws.close());

  it('discover declares the deleted-at column, nullable, on the streams read whole only, and people, objects and object_relationships (told of deletes by the feed)', async () => {
    const airbyte = (await runCli(['discover', '--config', ws.configPath])).messages[0]?.['catalog']['streams'] as Row[];
    const singer = JSON.parse((await runCli(['--config', ws.configPath, '--discover'])).stdout)['streams'] as Row[];
    const tracked = new Set([...NAMES, 'exports', 'people', 'objects', 'object_relationships']);
    for (const stream of airbyte) {
      const declared = stream['json_schema']['properties']['_ab_cdc_deleted_at'];
      expect(declared === undefined, stream['name']).toBe(!tracked.has(stream['name']));
      if (declared) expect(declared).toEqual({ type: ['null', 'string'], format: 'date-time' });
    }
    for (const stream of singer) {
      expect(stream['schema']['properties']['_sdc_deleted_at'] === undefined, stream['stream']).toBe(!tracked.has(stream['stream']));
    }
  });

  it('a first sync (no key set in its state yet) emits no tombstone, and keeps the keys compactly', () => {
    for (const protocol of ['airbyte', 'singer'] as const) {
      const result = first.get(protocol) as CliResult;
      expect(result.code, result.stderr).toBe(0);
      expect(tombstonesOf(result, protocol)).toEqual([]);
    }
    const campaigns = lastAirbyteStates(first.get('airbyte') as CliResult).find((s) => s['stream']['stream_descriptor']['name'] === 'campaigns');
    expect(campaigns?.['stream']['stream_state']['keys']).toMatch(/^n:[0-9a-z,]+$/);
    const snippets = lastSingerState(first.get('singer') as CliResult)['bookmarks']['snippets'];
    expect(snippets['keys']).toEqual([...(before.get('snippets') ?? [])].sort());
  });

  it.each(['airbyte', 'singer'] as const)(
    '%s: after deletes, the next incremental sync emits exactly one tombstone per deleted key',
    async (protocol) => {
      const firstRun = first.get(protocol) as CliResult;
      const state = protocol === 'airbyte' ? lastAirbyteStates(firstRun) : lastSingerState(firstRun);
      const statePath = writeFiles({ 'state.json': state })['state.json'] as string;
      const args =
        protocol === 'airbyte'
          ? ['read', '--config', ws.configPath, '--catalog', airbyteCatalog, '--state', statePath]
          : ['--config', ws.configPath, '--catalog', singerCatalog, '--state', statePath];
      ws.sim.resetStats();
      const second = await runCli(args);
      expect(second.code, second.stderr).toBe(0);
      // Requests the tap chose to make. On a busy machine arrivals bunch up and the simulator's
      // limiter may answer one 429; its retry would make two equal syncs differ by one.
      const asked = (): number => ws.sim.stats().requests - ws.sim.stats().rateLimited;
      const requestsWith = asked();

      const tombstones = tombstonesOf(second, protocol);
      const got = tombstones.map((t) => `${t.stream} ${keyText(STREAMS[t.stream]?.key.map((f) => t.data[f]) ?? [])}`).sort();
      const expected = deleted
        .map(deletedKey)
        .map(({ stream, key }) => `${stream} ${key}`)
        .sort();
      expect(got).toEqual(expected);
      // Children went with their parents: more tombstones than deletes asked for.
      expect(expected.length).toBeGreaterThan(10);

      // Each tombstone: the key, the cursor and deleted-at at the sync's start, every other field null
      // (or empty, where the schema declares a list that is never null); it fits its schema.
      const ajv = strictAjv();
      const schemas = new Map<string, Row>();
      if (protocol === 'singer') for (const m of ofType(second.messages, 'SCHEMA')) schemas.set(m['stream'], m['schema']);
      else {
        const catalog = JSON.parse(readFileSync(airbyteCatalog, 'utf8')) as Row;
        for (const s of catalog['streams']) schemas.set(s['stream']['name'], s['stream']['json_schema']);
      }
      for (const { stream, data } of tombstones) {
        const spec = STREAMS[stream] as (typeof STREAMS)[string];
        const filled = Object.keys(data).filter((field) => data[field] !== null && !(Array.isArray(data[field]) && data[field].length === 0));
        expect(filled.sort()).toEqual([...spec.key, spec.cursor, DELETED_AT[protocol]].sort());
        expect(Object.keys(data)).toEqual(expect.arrayContaining(Object.keys((schemas.get(stream) as Row)['properties'])));
        expect(Date.parse(data[DELETED_AT[protocol]]) / 1000).toBe(data[spec.cursor]);
        const validate = ajv.compile(schemas.get(stream) as object);
        expect(validate(data), `${stream}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }

      // Tombstones cost no request: the same sync without them asks exactly as much.
      ws.sim.resetStats();
      const off = writeFiles({ 'c.json': { ...ws.config, emit_deletes: false } })['c.json'] as string;
      const withoutArgs = args.map((a) => (a === ws.configPath ? off : a));
      const without = await runCli(withoutArgs);
      expect(without.code, without.stderr).toBe(0);
      expect(tombstonesOf(without, protocol)).toEqual([]);
      expect(asked()).toBe(requestsWith);
    },
    120_000,
  );

  it('Airbyte: a dedup destination fed both syncs ends with exactly the current rows', async () => {
    const firstRun = first.get('airbyte') as CliResult;
    const statePath = writeFiles({ 'state.json': lastAirbyteStates(firstRun) })['state.json'] as string;
    const second = await runCli(['read', '--config', ws.configPath, '--catalog', airbyteCatalog, '--state', statePath]);
    expect(second.code, second.stderr).toBe(0);
    const tables = dedupAirbyte([firstRun, second]);
    for (const name of NAMES) expect([...(tables.get(name)?.keys() ?? [])].sort(), name).toEqual(currentKeys(ws.sim.truth, name).sort());
  }, 120_000);

  it('Singer: a hard-deleting target fed both syncs ends with exactly the current rows', async () => {
    const firstRun = first.get('singer') as CliResult;
    const table = join(mkdtempSync(join(tmpdir(), 'tap-target-')), 'table.json');
    const load = (stdout: string): string => {
      const target = spawnSync(process.execPath, [TARGET, '--table', table], { input: stdout, encoding: 'utf8' });
      expect(target.status, target.stderr).toBe(0);
      return target.stdout.trim().split('\n').at(-1) ?? '{}';
    };
    const state = load(firstRun.stdout);
    const statePath = writeFiles({ 'state.json': JSON.parse(state) })['state.json'] as string;
    const second = await runCli(['--config', ws.configPath, '--catalog', singerCatalog, '--state', statePath]);
    expect(second.code, second.stderr).toBe(0);
    load(second.stdout);
    const tables = JSON.parse(readFileSync(table, 'utf8')) as Record<string, Record<string, Row>>;
    for (const name of NAMES) expect(Object.keys(tables[name] ?? {}).sort(), name).toEqual(currentKeys(ws.sim.truth, name).sort());
  }, 120_000);

  it('emit_deletes false: no key sets in the state, no tombstones', async () => {
    const off = writeFiles({ 'c.json': { ...ws.config, emit_deletes: false } })['c.json'] as string;
    const result = await runCli(['read', '--config', off, '--catalog', airbyteCatalog]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.stringify(lastAirbyteStates(result))).not.toContain('"keys"');
    expect(recordsOf(result.messages).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('tombstones: parents gone mid-sync, the size limit, a damaged state', () => {
  let ws: TestWorkspace;
  let catalog: string;
  let firstState: Row[];

  beforeAll(async () => {
    ws = await testWorkspace();
    catalog = writeFiles({
      'a.json': await configuredCatalog(ws.configPath, { campaigns: 'incremental', campaigns_actions: 'incremental', snippets: 'incremental' }),
    })['a.json'] as string;
    const first = await runCli(['read', '--config', ws.configPath, '--catalog', catalog]);
    expect(first.code, first.stderr).toBe(0);
    firstState = lastAirbyteStates(first);
  }, 120_000);
  afterAll(async () => ws.close());

  const readWith = (state: unknown, config = ws.configPath): Promise<CliResult> =>
    runCli(['read', '--config', config, '--catalog', catalog, '--state', writeFiles({ 'state.json': state })['state.json'] as string]);

  it('a parent that answers 404 under it (deleted mid-sync) yields tombstones for its children, and the sync succeeds', async () => {
    const campaign = (ws.sim.truth.campaigns() as Row[]).filter((c) => (ws.sim.truth.campaignActions(c['id']) as Row[]).length >= 2).at(-1) as Row;
    const actions = (ws.sim.truth.campaignActions(campaign['id']) as Row[]).map((a) => String(a['id'])).sort();
    ws.sim.setFaults([{ path: `^/v1/campaigns/${campaign['id']}/actions$`, kind: 'status', status: 404 }]);
    try {
      const result = await readWith(firstState);
      expect(result.code, result.stderr).toBe(0);
      const tombstones = tombstonesOf(result, 'airbyte');
      expect(tombstones.every((t) => t.stream === 'campaigns_actions')).toBe(true);
      expect(tombstones.map((t) => String(t.data['id'])).sort()).toEqual(actions);
      const partitions = lastAirbyteStates(result).find((s) => s['stream']['stream_descriptor']['name'] === 'campaigns_actions')?.['stream']['stream_state'][
        'partitions'
      ];
      expect(partitions[String(campaign['id'])]).toBeUndefined();
    } finally {
      ws.sim.setFaults([]);
    }
  }, 120_000);

  it('a stream with more keys than deletes_max_keys keeps none, says so, and emits no tombstones', async () => {
    const small = writeFiles({ 'c.json': { ...ws.config, deletes_max_keys: 5 } })['c.json'] as string;
    const result = await readWith(firstState, small);
    expect(result.code, result.stderr).toBe(0);
    const warnings = ofType(result.messages, 'LOG')
      .map((m) => m['log']['message'] as string)
      .filter((m) => m.includes('deletes are not tracked'));
    expect(warnings.some((m) => m.startsWith('campaigns: more than 5 keys'))).toBe(true);
    expect(warnings.some((m) => m.startsWith('campaigns_actions: more than 5 keys'))).toBe(true);
    const states = lastAirbyteStates(result);
    for (const name of ['campaigns', 'campaigns_actions']) {
      expect(JSON.stringify(states.find((s) => s['stream']['stream_descriptor']['name'] === name)), name).not.toContain('"keys"');
    }
    expect(tombstonesOf(result, 'airbyte')).toEqual([]);
  }, 120_000);

  it('a damaged key set in the state is refused with the field and the fix, before anything is read', async () => {
    const damaged = firstState.map((s) =>
      s['stream']['stream_descriptor']['name'] === 'campaigns'
        ? { ...s, stream: { ...s['stream'], stream_state: { ...s['stream']['stream_state'], keys: 'n:1,-4' } } }
        : s,
    );
    ws.sim.resetStats();
    const result = await readWith(damaged);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/campaigns\.keys is not a key set/);
    expect(result.stdout + result.stderr).toMatch(/Remove campaigns\.keys/);
    expect(ws.sim.stats().requests).toBe(0);
  }, 60_000);

  it('the first sync after upgrading (bookmarks without key sets) emits no tombstone, then keeps the keys', async () => {
    const off = writeFiles({ 'c.json': { ...ws.config, emit_deletes: false } })['c.json'] as string;
    const older = await readWith(firstState, off);
    expect(older.code, older.stderr).toBe(0);
    const upgraded = lastAirbyteStates(older);
    expect(JSON.stringify(upgraded)).not.toContain('"keys"');
    ws.sim.deleteEntities([{ kind: 'snippet', id: (ws.sim.truth.snippets() as Row[])[0]?.['name'] }]);
    const result = await readWith(upgraded);
    expect(result.code, result.stderr).toBe(0);
    expect(tombstonesOf(result, 'airbyte')).toEqual([]);
    const snippets = lastAirbyteStates(result).find((s) => s['stream']['stream_descriptor']['name'] === 'snippets');
    expect(snippets?.['stream']['stream_state']['keys']).toEqual(currentKeys(ws.sim.truth, 'snippets').sort());
  }, 120_000);
});

describe('tombstones: a sync killed mid-read and restarted from its last STATE', () => {
  let ws: TestWorkspace;
  let catalog: string;
  let beforeDeletes: Row[];
  let firstRun: CliResult;
  const names = ['campaigns', 'campaigns_actions', 'broadcasts', 'broadcast_actions'];

  beforeAll(async () => {
    // Latency, so a read of a few dozen partitions runs long enough to be killed part-way.
    ws = await testWorkspace({ latencyMs: 40 });
    catalog = writeFiles({ 'a.json': await configuredCatalog(ws.configPath, Object.fromEntries(names.map((n) => [n, 'incremental']))) })['a.json'] as string;
    firstRun = await runCli(['read', '--config', ws.configPath, '--catalog', catalog]);
    expect(firstRun.code, firstRun.stderr).toBe(0);
    beforeDeletes = lastAirbyteStates(firstRun);
    const deletes = pickDeletes(ws.sim.truth).filter((d) => ['campaign', 'campaign_action', 'broadcast', 'broadcast_action'].includes(d.kind));
    ws.sim.deleteEntities(deletes);
  }, 180_000);
  afterAll(async () => ws.close());

  /** Per stream, the newest of the given STATE messages. */
  const merged = (...runs: Row[][]): Row[] => {
    const byStream = new Map<string, Row>();
    for (const states of runs) for (const s of states) byStream.set(s['stream']['stream_descriptor']['name'], s);
    return [...byStream.values()];
  };

  it.each([1, 4])(
    'killed at child-stream STATE #%s: the restart completes the tombstones, none twice once done',
    async (at) => {
      const expected = ws.sim.truth
        .deletedEntities()
        .map(deletedKey)
        .map(({ stream, key }) => `${stream} ${key}`)
        .sort();
      let childStates = 0;
      const statePath = writeFiles({ 'state.json': beforeDeletes })['state.json'] as string;
      const killed = await runCli(['read', '--config', ws.configPath, '--catalog', catalog, '--state', statePath], {
        onMessage: (message, child) => {
          const name = message['state']?.['stream']?.['stream_descriptor']?.['name'];
          if (message['type'] === 'STATE' && (name === 'campaigns_actions' || name === 'broadcast_actions') && ++childStates === at) child.kill('SIGKILL');
        },
      });
      expect(killed.signal).toBe('SIGKILL');
      const restartState = merged(beforeDeletes, lastAirbyteStates(killed));
      const restarted = await runCli([
        'read',
        '--config',
        ws.configPath,
        '--catalog',
        catalog,
        '--state',
        writeFiles({ 'state.json': restartState })['state.json'] as string,
      ]);
      expect(restarted.code, restarted.stderr).toBe(0);

      const keyed = (result: CliResult): string[] =>
        tombstonesOf(result, 'airbyte').map((t) => `${t.stream} ${keyText(STREAMS[t.stream]?.key.map((f) => t.data[f]) ?? [])}`);
      // Every deleted key got its tombstone in one run or the other (at least once), and no live key did.
      expect([...new Set([...keyed(killed), ...keyed(restarted)])].sort()).toEqual(expected);
      // The destination ends with exactly the current rows.
      const tables = dedupAirbyte([firstRun, killed, restarted]);
      for (const name of names) expect([...(tables.get(name)?.keys() ?? [])].sort(), name).toEqual(currentKeys(ws.sim.truth, name).sort());
      // Once a sync has completed, the deletes are behind it: the next one sends none again.
      const after = await runCli([
        'read',
        '--config',
        ws.configPath,
        '--catalog',
        catalog,
        '--state',
        writeFiles({ 'state.json': merged(restartState, lastAirbyteStates(restarted)) })['state.json'] as string,
      ]);
      expect(after.code, after.stderr).toBe(0);
      expect(tombstonesOf(after, 'airbyte')).toEqual([]);
    },
    180_000,
  );
});
