import { describe, expect, it } from 'vitest';
import { decodeKeys } from '../../../src/engine/key-set.js';
import { readerFor, readStream } from '../../../src/engine/read-stream.js';
import { loadStreamState } from '../../../src/engine/state.js';
import { defineStream, type ChangeFeed, type Row, type StreamDef } from '../../../src/engine/stream.js';
import type { ApiRequest } from '../../../src/http/client.js';
import { drain, fail, memoryApi, type ContextOptions, type DrainOptions, type MemoryApi } from '../../helpers/memory-api.js';

const DAY = 86_400;
const T0 = 1_700_000_000; // the first sync's start
const DELETES = { field: '_deleted_at', emit: true, maxKeys: 1000 };

/** A change feed of a made-up API: entries `{id, at, kind, who, merged?}` newest first, three a page, filtered by `kind` and `gone`. */
const feed: ChangeFeed = {
  path: '/v1/changes',
  records: 'changes',
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 3 } },
  walks: () => [{ query: { kind: 'edit' } }, { query: { kind: 'merge' } }, { query: { kind: 'delete', gone: true }, removes: true }],
  reachSeconds: 30 * DAY,
  idOf: (entry) => entry['id'] as string,
  timeOf: (entry) => entry['at'] as number,
  keyOf: (entry) => entry['who'] as string,
  removedBy: (entry) => entry['merged'] as string | undefined,
};

/** Members, read whole by search (four ids a page) and hydrate (two a request); the people schema (cio_id, changed_at, attributes…). */
const membersWith = (fullEverySeconds = 7 * DAY): StreamDef =>
  defineStream({
    name: 'members',
    schemaFile: 'people.json',
    scope: 'Members',
    resumable: true,
    method: 'POST',
    path: '/v1/members',
    records: 'members',
    primaryKey: [['cio_id']],
    cursor: { mode: 'change-feed', field: 'changed_at', feed, fullEverySeconds },
    pagination: {
      kind: 'search-then-hydrate',
      search: { path: '/v1/members/search', body: () => ({ filter: 'everyone' }), pageSize: 4, idsFrom: (body) => (body['ids'] as string[]) ?? [] },
      hydrate: { batchSize: 2, request: (ids) => ({ method: 'POST', path: '/v1/members/hydrate', body: { ids } }), records: 'members' },
    },
  });
const members = membersWith();

interface Entry {
  id: string;
  at: number;
  kind: 'edit' | 'merge' | 'delete' | 'other';
  who: string;
  merged?: string;
}

/** A workspace that changes between syncs: its members, and its feed (a deleted member's entries only with gone=true). */
class Workspace {
  readonly people = new Map<string, Row>();
  readonly entries: Entry[] = [];
  readonly deleted = new Set<string>();
  private version = 0;

  constructor(n: number) {
    for (let i = 1; i <= n; i++) this.put(`c${String(i).padStart(3, '0')}`);
  }

  put(cio: string): void {
    this.people.set(cio, { cio_id: cio, attributes: { v: String(++this.version) } });
  }

  edit(cio: string, at: number, id = `e${this.entries.length}`): void {
    this.put(cio);
    this.entries.push({ id, at, kind: 'edit', who: cio });
  }

  remove(cio: string, at: number): void {
    this.people.delete(cio);
    this.deleted.add(cio);
    this.entries.push({ id: `d${this.entries.length}`, at, kind: 'delete', who: cio });
  }

  merge(survivor: string, other: string, at: number): void {
    this.put(survivor);
    this.people.delete(other);
    this.deleted.add(other);
    this.entries.push({ id: `m${this.entries.length}`, at, kind: 'merge', who: survivor, merged: other });
  }

  /** `beforeFeed`: called as each feed request arrives, before it is answered (a change landing mid-read). */
  api(now: number, options: { msPerRequest?: number; serverOffset?: number; beforeFeed?: (request: ApiRequest) => void } = {}): MemoryApi {
    const { beforeFeed, ...apiOptions } = options;
    return memoryApi(
      {
        'POST /v1/members/search': (request: ApiRequest) => {
          const ids = [...this.people.keys()].sort();
          const offset = Number(request.query?.['start'] ?? 0);
          const limit = Number(request.query?.['limit']);
          return { ids: ids.slice(offset, offset + limit), next: offset + limit < ids.length ? String(offset + limit) : '' };
        },
        'POST /v1/members/hydrate': (request: ApiRequest) => ({
          members: (request.body as { ids: string[] }).ids.flatMap((id) => (this.people.has(id) ? [structuredClone(this.people.get(id))] : [])),
        }),
        'GET /v1/changes': (request: ApiRequest) => {
          beforeFeed?.(request);
          const gone = String(request.query?.['gone']) === 'true';
          const list = [...this.entries]
            .reverse()
            .sort((a, b) => b.at - a.at)
            .filter((e) => e.kind === request.query?.['kind'] && this.deleted.has(e.who) === gone);
          const offset = Number(request.query?.['start'] ?? 0);
          const limit = Number(request.query?.['limit']);
          return { changes: list.slice(offset, offset + limit), next: offset + limit < list.length ? String(offset + limit) : '' };
        },
      },
      { now, ...apiOptions },
    );
  }
}

const read = (
  api: MemoryApi,
  state: unknown,
  def = members,
  mode: 'incremental' | 'full_refresh' = 'incremental',
  options: ContextOptions = {},
  drainOptions: DrainOptions = {},
) => drain(readStream(api.context({ deletes: DELETES, ...options }), def, mode, state), drainOptions);

/** Key sets are stored encoded: compare what they hold. */
function decoded(state: Record<string, unknown> | undefined): unknown {
  return JSON.parse(JSON.stringify(state ?? {}), (key, value: unknown) => (key === 'keys' ? [...(decodeKeys(value) ?? ['not a key set'])].sort() : value));
}

const paths = (api: MemoryApi): string[] => api.take().map((key) => key.replace(/\?.*/, ''));
const count = (list: string[], path: string): number => list.filter((p) => p === `POST ${path}` || p === `GET ${path}`).length;
const byCio = (records: Row[]): Map<string, Row> => new Map(records.map((r) => [r['cio_id'] as string, r]));
const tombstone = (cio: string, at: number): Row => ({
  cio_id: cio,
  changed_at: at,
  id: null,
  identifiers: null,
  attributes: null,
  devices: null,
  timestamps: null,
  unsubscribed: null,
  _deleted_at: new Date(at * 1000).toISOString(),
});

/** A first sync: everyone, with the state it ends on. */
async function firstSync(ws: Workspace): Promise<Record<string, unknown>> {
  const out = await read(ws.api(T0), undefined);
  return out.checkpoints.at(-1) as Record<string, unknown>;
}

describe('change feed: full reads', () => {
  it('a first sync reads everyone the stream’s own way, stamps each with the sync start, and keeps the bookmark, the boundary and the keys', async () => {
    const ws = new Workspace(6);
    const api = ws.api(T0);
    const out = await read(api, undefined);
    expect(out.records.map((r) => r['cio_id'])).toEqual(['c001', 'c002', 'c003', 'c004', 'c005', 'c006']);
    expect(out.records.every((r) => r['changed_at'] === T0)).toBe(true);
    expect(decoded(out.checkpoints.at(-1))).toEqual({ changed_at: T0, boundary: [], full_at: T0, keys: ['c001', 'c002', 'c003', 'c004', 'c005', 'c006'] });
    // Two search pages, three hydrate batches: not one request for the feed.
    const sent = paths(api);
    expect([count(sent, '/v1/members/search'), count(sent, '/v1/members/hydrate'), count(sent, '/v1/changes')]).toEqual([2, 3, 0]);
    expect(api.logs).toContain('INFO members: reading everything: no bookmark yet (a first sync)');
  });

  it('a server whose clock stands behind ours: the full read begins on its clock (a second off is rounding)', async () => {
    const ws = new Workspace(3);
    const behind = await read(ws.api(T0, { serverOffset: -3600 }), undefined);
    expect(behind.records.every((r) => r['changed_at'] === T0 - 3600)).toBe(true);
    expect(behind.checkpoints.at(-1)).toMatchObject({ changed_at: T0 - 3600, full_at: T0 - 3600 });
    const rounding = await read(ws.api(T0, { serverOffset: -1 }), undefined);
    expect(rounding.checkpoints.at(-1)).toMatchObject({ changed_at: T0 });
  });

  it('full refresh: everyone, the same state, and no tombstones for keys that went', async () => {
    const ws = new Workspace(4);
    const state = await firstSync(ws);
    ws.remove('c002', T0 + 10);
    const out = await read(ws.api(T0 + 60), state, members, 'full_refresh');
    expect(out.records.map((r) => [r['cio_id'], r['changed_at']])).toEqual([
      ['c001', T0 + 60],
      ['c003', T0 + 60],
      ['c004', T0 + 60],
    ]);
    expect(decoded(out.checkpoints.at(-1))).toEqual({ changed_at: T0 + 60, boundary: [], full_at: T0 + 60, keys: ['c001', 'c003', 'c004'] });
  });

  it('the periodic reconcile reads everyone and tombstones the keys of the last full read that are gone, changed silently or not', async () => {
    const ws = new Workspace(5);
    const state = await firstSync(ws);
    ws.put('c003'); // no feed entry says so
    ws.people.delete('c004'); // gone without a word
    const at = T0 + 7 * DAY;
    const api = ws.api(at);
    const out = await read(api, state);
    const records = byCio(out.records);
    expect(records.get('c003')).toEqual({ ...ws.people.get('c003'), changed_at: at });
    expect(records.get('c004')).toEqual(tombstone('c004', at));
    expect(out.records).toHaveLength(5);
    expect(decoded(out.checkpoints.at(-1))).toEqual({ changed_at: at, boundary: [], full_at: at, keys: ['c001', 'c002', 'c003', 'c005'] });
    expect(count(paths(api), '/v1/changes')).toBe(0);
    expect(api.logs.some((l) => /INFO members: reading everything: a full read is due every 7 days .*the last was 7 days ago/.test(l))).toBe(true);
  });

  it('fullEverySeconds 0 reads everyone on every sync', async () => {
    const ws = new Workspace(3);
    const state = await firstSync(ws);
    const api = ws.api(T0 + 60);
    const out = await read(api, state, membersWith(0));
    expect(out.records).toHaveLength(3);
    expect(api.logs).toContain('INFO members: reading everything: a full read on every sync is configured');
  });

  it('a bookmark without full_at (another tool’s) counts the next full read from the bookmark', async () => {
    const ws = new Workspace(3);
    const soon = ws.api(T0 + DAY);
    expect((await read(soon, { changed_at: T0 })).records).toEqual([]);
    expect(count(paths(soon), '/v1/members/search')).toBe(0);
    const later = ws.api(T0 + 7 * DAY);
    expect((await read(later, { changed_at: T0 })).records).toHaveLength(3);
    // A bookmark in the future reads nothing either.
    expect((await read(ws.api(T0), { changed_at: T0 + 365 * DAY })).records).toEqual([]);
  });

  it('a bookmark older than the feed reaches reads everyone, with a WARN saying why', async () => {
    const ws = new Workspace(3);
    const state = await firstSync(ws);
    const api = ws.api(T0 + 31 * DAY);
    const out = await read(api, { ...state, full_at: T0 + 30 * DAY });
    expect(out.records).toHaveLength(3);
    expect(api.logs.find((l) => l.startsWith('WARN'))).toBe(
      `WARN members: reading everything: the bookmark ${new Date(T0 * 1000).toISOString()} is older than the 30 days the change feed keeps, so changes may be missing from it`,
    );
    expect(count(paths(api), '/v1/changes')).toBe(0);
  });

  it('a killed full read continues from its nested state: nothing read twice, the bookmark at the first part’s start, tombstones still right', async () => {
    const ws = new Workspace(13);
    const before = await firstSync(ws);
    ws.people.delete('c008');
    const at = T0 + 8 * DAY;
    // Killed at the second checkpoint (two search pages of four done, one left).
    const killed = await read(ws.api(at), before, members, 'incremental', {}, { stopAfter: 4 });
    const checkpoint = killed.checkpoints.at(-1) as Record<string, unknown>;
    expect(decoded(checkpoint)).toMatchObject({
      changed_at: T0,
      full_at: T0,
      full: { started: at, state: { resume: { start: '8' } }, keys: killed.covered.map((r) => r['cio_id']).sort() },
    });
    const later = at + 600;
    const api = ws.api(later);
    const resumed = await read(api, checkpoint);
    const again = resumed.records.filter((r) => killed.covered.some((c) => c['cio_id'] === r['cio_id']));
    expect(again).toEqual([]);
    const all = [...ws.people.keys()];
    expect([...killed.covered, ...resumed.records].map((r) => r['cio_id']).sort()).toEqual([...all, 'c008'].sort());
    expect(byCio(resumed.records).get('c008')).toEqual(tombstone('c008', later));
    // Records of the continued part carry the start of the first: the feed is read from there next time.
    expect(resumed.records.filter((r) => r['_deleted_at'] === undefined).every((r) => r['changed_at'] === at)).toBe(true);
    expect(decoded(resumed.checkpoints.at(-1))).toEqual({ changed_at: at, boundary: [], full_at: at, keys: all.sort() });
    expect(api.logs).toContain(`INFO members: continuing the full read begun at ${new Date(at * 1000).toISOString()}`);
  });
});

describe('change feed: incremental reads', () => {
  it('idle: one feed request per walk, no record, the same state', async () => {
    const ws = new Workspace(5);
    ws.edit('c001', T0 - 100); // older than the bookmark: where each walk stops
    const state = await firstSync(ws);
    const api = ws.api(T0 + 3600);
    const out = await read(api, state);
    expect(out.records).toEqual([]);
    expect(api.take()).toEqual(['GET /v1/changes?kind=edit&limit=3', 'GET /v1/changes?kind=merge&limit=3', 'GET /v1/changes?gone=true&kind=delete&limit=3']);
    expect(out.checkpoints).toEqual([state]);
  });

  it('reads again each named record once, with its newest change; the removed and merged away get tombstones; the key set follows', async () => {
    const ws = new Workspace(6);
    const state = await firstSync(ws);
    ws.edit('c001', T0 + 10);
    ws.edit('c002', T0 + 20);
    ws.edit('c001', T0 + 30);
    ws.put('c007');
    ws.edit('c007', T0 + 35); // a new member
    ws.merge('c003', 'c004', T0 + 40);
    ws.edit('c005', T0 + 45);
    ws.remove('c005', T0 + 50); // changed, then deleted: its edit is only served with gone=true
    ws.edit('c006', T0 + 55);
    ws.people.delete('c006'); // named, then gone before it is read
    ws.edit('c002', T0 + 200); // after the sync started: the next sync's
    const S = T0 + 100;
    const api = ws.api(S);
    const out = await read(api, state);
    const records = byCio(out.records);
    expect(out.records).toHaveLength(7);
    expect(records.get('c001')).toEqual({ ...ws.people.get('c001'), changed_at: T0 + 30 });
    expect(records.get('c002')).toEqual({ ...ws.people.get('c002'), changed_at: T0 + 20 });
    expect(records.get('c003')).toEqual({ ...ws.people.get('c003'), changed_at: T0 + 40 });
    expect(records.get('c007')).toEqual({ ...ws.people.get('c007'), changed_at: T0 + 35 });
    for (const gone of ['c004', 'c005', 'c006']) expect(records.get(gone)).toEqual(tombstone(gone, S));
    // The newest entry read: c006's edit at T0 + 55 (the one at T0 + 200 waits for the next
    // sync). The merge and delete walks, whose newest are older, keep their own positions.
    expect(decoded(out.checkpoints.at(-1))).toEqual({
      changed_at: T0 + 55,
      boundary: ['e7'],
      walks: { 'gone=true&kind=delete': { changed_at: T0 + 50, boundary: ['d6'] }, 'kind=merge': { changed_at: T0 + 40, boundary: ['m4'] } },
      full_at: T0,
      keys: ['c001', 'c002', 'c003', 'c007'],
    });
    const sent = paths(api);
    // Feed: edits take two pages of three, merges and deletes one each; hydrate: c006, c007,
    // c001, c002, c003 in batches of two.
    expect([count(sent, '/v1/changes'), count(sent, '/v1/members/hydrate'), count(sent, '/v1/members/search')]).toEqual([4, 3, 0]);
  });

  it('entries sharing the bookmark’s second are neither missed nor read twice', async () => {
    const ws = new Workspace(6);
    const state = await firstSync(ws);
    const B = T0 + 50;
    ws.edit('c001', B, 'x1');
    ws.edit('c002', B, 'x2');
    const first = await read(ws.api(T0 + 60), state);
    expect(first.records.map((r) => r['cio_id']).sort()).toEqual(['c001', 'c002']);
    const bookmark = first.checkpoints.at(-1) as Record<string, unknown>;
    expect(bookmark).toMatchObject({ changed_at: B, boundary: ['x1', 'x2'] });
    // Written later, dated the same second (as a feed may), and one a second later.
    ws.edit('c003', B, 'x3');
    ws.edit('c004', B + 1, 'x4');
    const api = ws.api(T0 + 120);
    const second = await read(api, bookmark);
    expect(second.records.map((r) => r['cio_id']).sort()).toEqual(['c003', 'c004']);
    expect(second.checkpoints.at(-1)).toMatchObject({ changed_at: B + 1, boundary: ['x4'] });
    // The same second again, once more: x3 at B is now older than the bookmark.
    const third = await read(ws.api(T0 + 180), second.checkpoints.at(-1));
    expect(third.records).toEqual([]);
  });

  it('named records are read again 2 (the hydrate batch) a request, each once however often it is named', async () => {
    const ws = new Workspace(9);
    const state = await firstSync(ws);
    for (let round = 0; round < 3; round++) for (const cio of ws.people.keys()) ws.edit(cio, T0 + 10 + round);
    const api = ws.api(T0 + 60);
    const out = await read(api, state);
    expect(out.records).toHaveLength(9);
    expect(out.records.every((r) => r['changed_at'] === T0 + 12)).toBe(true);
    expect(count(paths(api), '/v1/members/hydrate')).toBe(5);
  });

  it('a change that lands mid-read, after one walk passed the head and before another began, is read by the next sync', async () => {
    const ws = new Workspace(4);
    const state = await firstSync(ws);
    ws.edit('c001', T0 + 10);
    let landed = false;
    // The edit walk runs first (one walk at a time here); as the merge walk begins, an edit and a
    // merge land at the head of the feed, dated before the sync's start.
    const api = ws.api(T0 + 100, {
      beforeFeed: (request) => {
        if (landed || request.query?.['kind'] !== 'merge') return;
        landed = true;
        ws.edit('c002', T0 + 30);
        ws.merge('c003', 'c004', T0 + 31);
      },
    });
    const first = await read(api, state);
    expect(first.records.map((r) => [r['cio_id'], r['_deleted_at'] === undefined ? 'live' : 'gone']).sort()).toEqual([
      ['c001', 'live'],
      ['c003', 'live'],
      ['c004', 'gone'],
    ]);
    // The stream's bookmark is the merge at T0 + 31; the edit walk stands where it read to.
    const after = decoded(first.checkpoints.at(-1)) as Row;
    expect(after).toMatchObject({ changed_at: T0 + 31, walks: { 'kind=edit': { changed_at: T0 + 10 } } });
    const next = await read(ws.api(T0 + 200), first.checkpoints.at(-1));
    expect(next.records.map((r) => [r['cio_id'], r['changed_at']])).toEqual([['c002', T0 + 30]]);
    expect(decoded(next.checkpoints.at(-1))).toMatchObject({ changed_at: T0 + 31 });
  });

  it('a killed incremental read checkpoints the records still to read, and a restart reads only those', async () => {
    const ws = new Workspace(8);
    const state = await firstSync(ws);
    for (const [i, cio] of [...ws.people.keys()].entries()) ws.edit(cio, T0 + 10 + i);
    ws.remove('c008', T0 + 30);
    const S = T0 + 60;
    // A STATE is due every 2 records: after each batch (newest named first). Killed after the second.
    const killed = await read(ws.api(S), state, members, 'incremental', { checkpoints: { records: 2, seconds: Infinity } }, { stopAfter: 5 });
    const checkpoint = killed.checkpoints.at(-1) as Record<string, unknown>;
    expect(killed.covered.map((r) => r['cio_id'])).toEqual(['c008', 'c007', 'c006', 'c005', 'c004']);
    expect(decoded(checkpoint)).toEqual({
      changed_at: T0,
      boundary: [],
      full_at: T0,
      keys: ['c001', 'c002', 'c003', 'c004', 'c005', 'c006', 'c007'],
      pending: {
        changed_at: T0 + 30,
        boundary: ['d8'],
        walks: { 'kind=edit': { changed_at: T0 + 16, boundary: ['e6'] }, 'kind=merge': { changed_at: T0, boundary: [] } },
        left: { c003: T0 + 12, c002: T0 + 11, c001: T0 + 10 },
      },
    });
    const api = ws.api(S + 30);
    const resumed = await read(api, checkpoint);
    expect(resumed.records.map((r) => [r['cio_id'], r['changed_at']])).toEqual([
      ['c003', T0 + 12],
      ['c002', T0 + 11],
      ['c001', T0 + 10],
    ]);
    expect(paths(api)).toEqual(['POST /v1/members/hydrate', 'POST /v1/members/hydrate']);
    expect(decoded(resumed.checkpoints.at(-1))).toEqual({
      changed_at: T0 + 30,
      boundary: ['d8'],
      walks: { 'kind=edit': { changed_at: T0 + 16, boundary: ['e6'] }, 'kind=merge': { changed_at: T0, boundary: [] } },
      full_at: T0,
      keys: ['c001', 'c002', 'c003', 'c004', 'c005', 'c006', 'c007'],
    });
  });

  it('with deletes off: no tombstones and no key set, the rest alike', async () => {
    const ws = new Workspace(3);
    const noDeletes = { deletes: { ...DELETES, emit: false } };
    const first = await read(ws.api(T0), undefined, members, 'incremental', noDeletes);
    expect(first.checkpoints.at(-1)).toEqual({ changed_at: T0, boundary: [], full_at: T0 });
    ws.remove('c002', T0 + 5);
    ws.edit('c001', T0 + 6);
    const second = await read(ws.api(T0 + 60), first.checkpoints.at(-1), members, 'incremental', noDeletes);
    expect(second.records.map((r) => r['cio_id'])).toEqual(['c001']);
    expect(second.checkpoints.at(-1)).toEqual({
      changed_at: T0 + 6,
      boundary: ['e1'],
      walks: { 'gone=true&kind=delete': { changed_at: T0 + 5, boundary: ['d0'] }, 'kind=merge': { changed_at: T0, boundary: [] } },
      full_at: T0,
    });
  });

  it('a sample (preview) reads a few records the full way, stamped, with no feed request', async () => {
    const ws = new Workspace(6);
    const api = ws.api(T0);
    const out = await read(api, { changed_at: T0 - 60, boundary: [], full_at: T0 - 60 }, members, 'incremental', { recordLimit: 2 });
    expect(out.records.slice(0, 2).every((r) => r['changed_at'] === T0)).toBe(true);
    expect(count(paths(api), '/v1/changes')).toBe(0);
  });
});

describe('change feed: saved state', () => {
  const load = (value: unknown, warnings: string[] = []) =>
    loadStreamState(readerFor(members, 'incremental'), members, value, { file: 'state.json', warn: (m) => warnings.push(m) });

  it('takes its own state as it is', () => {
    const state = { changed_at: T0, boundary: ['a'], full_at: T0, keys: ['c001'] };
    expect(load(state)).toEqual(state);
  });

  it('a full refresh under way from before the feed continues as a full read, with a warning', async () => {
    const warnings: string[] = [];
    expect(load({ resume: { start: '4' } }, warnings)).toEqual({ full: { state: { resume: { start: '4' } } } });
    expect(load({ export: { job: '7', columns: ['email'] } })).toEqual({ full: { state: { export: { job: '7', columns: ['email'] } } } });
    expect(warnings).toEqual(['State of members is a full read under way written before members was incremental; it continues as a full read']);
    // It continues from the page it had reached: no key set then (that version kept none), so no tombstones.
    const ws = new Workspace(6);
    const api = ws.api(T0);
    const out = await read(api, load({ resume: { start: '4' } }));
    expect(out.records.map((r) => r['cio_id'])).toEqual(['c005', 'c006']);
    expect(out.checkpoints.at(-1)).toEqual({ changed_at: T0, boundary: [], full_at: T0 });
  });

  it('drops a state that holds none of its fields, with a warning', () => {
    const warnings: string[] = [];
    expect(load({ updated_at: 5 }, warnings)).toBeUndefined();
    expect(warnings[0]).toMatch(/State of members has no "changed_at" bookmark/);
  });

  it.each([
    [{ changed_at: 'yesterday' }, /members\.changed_at must be a unix timestamp/],
    [{ changed_at: T0, boundary: 'x' }, /members\.boundary must be a list of strings/],
    [{ changed_at: T0, full_at: '2024' }, /members\.full_at must be a unix timestamp/],
    [{ changed_at: T0, keys: 5 }, /members\.keys is not a key set/],
    [{ full: [] }, /members\.full must be an object/],
    [{ full: { started: 'x', state: {} } }, /members\.full\.started must be a unix timestamp/],
    [{ full: { started: T0, state: {}, keys: 3 } }, /members\.full\.keys is not a key set/],
    [{ changed_at: T0, pending: { changed_at: T0, boundary: [] } }, /members\.pending\.left must be an object/],
    [{ changed_at: T0, pending: { changed_at: T0, boundary: [], left: { c001: 'soon' } } }, /members\.pending\.left\.c001 must be a unix timestamp/],
  ])('refuses a damaged state %j, naming the field', (state, message) => {
    expect(() => load(state)).toThrow(message);
    try {
      load(state);
    } catch (error) {
      expect((error as { code: string }).code).toBe('STATE_INVALID');
    }
  });
});

/**
 * A child stream read from a feed: teams (the parents, listed whole) each with members; the feed
 * is walked per team (its own kinds, `edit:<team>`), and a member's key is its cio_id within the
 * team (team_id comes from the parent).
 */
const teamsList = defineStream({
  name: 'teams',
  schemaFile: 'object_types.json',
  scope: 'Teams',
  path: '/v1/teams',
  records: 'teams',
  primaryKey: [['id']],
  pagination: { kind: 'none' },
});
const teamFeed: ChangeFeed = {
  ...feed,
  walks: (team) => [{ query: { kind: `edit:${String(team?.['id'])}` } }, { query: { kind: `delete:${String(team?.['id'])}`, gone: true }, removes: true }],
};
const teamMembers = defineStream({
  name: 'team_members',
  schemaFile: 'objects.json',
  scope: 'Teams',
  resumable: true,
  parent: teamsList,
  method: 'POST',
  path: '/v1/team_members',
  records: 'members',
  primaryKey: [['object_type_id'], ['object_id']],
  fromParent: { object_type_id: 'id' },
  cursor: { mode: 'change-feed', field: 'changed_at', feed: teamFeed, fullEverySeconds: 7 * DAY },
  pagination: {
    kind: 'search-then-hydrate',
    search: {
      path: '/v1/team_members/search',
      body: (team) => ({ team: team?.['id'] }),
      pageSize: 2,
      idsFrom: (body) => (body['ids'] as string[]) ?? [],
    },
    hydrate: {
      batchSize: 1,
      request: ([id], team) => ({ path: '/v1/team_member', query: { team: String(team?.['id']), id } }),
      records: (body) => [body['member'] as Row],
    },
  },
});

/** Teams of members; a team's feed entries carry its id in their kind. */
class Teams {
  readonly teams = new Map<string, Map<string, Row>>();
  readonly entries: (Entry & { team: string })[] = [];
  readonly deleted = new Set<string>();

  constructor(sizes: Record<string, number>) {
    for (const [team, n] of Object.entries(sizes)) {
      const members = new Map<string, Row>();
      for (let i = 1; i <= n; i++) members.set(`${team}m${i}`, { object_id: `${team}m${i}`, attributes: { v: '0' } });
      this.teams.set(team, members);
    }
  }

  edit(team: string, id: string, at: number): void {
    this.teams.get(team)?.set(id, { object_id: id, attributes: { v: String(at) } });
    this.entries.push({ id: `e${this.entries.length}`, at, kind: 'edit', who: id, team });
  }

  remove(team: string, id: string, at: number): void {
    this.teams.get(team)?.delete(id);
    this.deleted.add(`${team}/${id}`);
    this.entries.push({ id: `d${this.entries.length}`, at, kind: 'delete', who: id, team });
  }

  api(now: number): MemoryApi {
    return memoryApi(
      {
        'GET /v1/teams': () => ({ teams: [...this.teams.keys()].map((id) => ({ id })) }),
        'POST /v1/team_members/search': (request: ApiRequest) => {
          const ids = [...(this.teams.get(String((request.body as Row)['team'])) ?? new Map()).keys()];
          const offset = Number(request.query?.['start'] ?? 0);
          const limit = Number(request.query?.['limit']);
          return { ids: ids.slice(offset, offset + limit), next: offset + limit < ids.length ? String(offset + limit) : '' };
        },
        'GET /v1/team_member': (request: ApiRequest) => {
          const member = this.teams.get(String(request.query?.['team']))?.get(String(request.query?.['id']));
          return member ? { member: structuredClone(member) } : fail('NOT_FOUND');
        },
        'GET /v1/changes': (request: ApiRequest) => {
          const [kind, team] = String(request.query?.['kind']).split(':');
          const gone = String(request.query?.['gone']) === 'true';
          const list = [...this.entries]
            .reverse()
            .sort((a, b) => b.at - a.at)
            .filter((e) => e.kind === kind && e.team === team && this.deleted.has(`${e.team}/${e.who}`) === gone);
          const offset = Number(request.query?.['start'] ?? 0);
          const limit = Number(request.query?.['limit']);
          return { changes: list.slice(offset, offset + limit), next: offset + limit < list.length ? String(offset + limit) : '' };
        },
      },
      { now },
    );
  }
}

const keyOfMember = (r: Row): string => `${String(r['object_type_id'])}/${String(r['object_id'])}`;

describe('change feed: a child stream, per parent', () => {
  const readTeams = (api: MemoryApi, state: unknown, mode: 'incremental' | 'full_refresh' = 'incremental') => read(api, state, teamMembers, mode);

  it('reads each parent whole the first time and keeps a state per parent; an idle sync asks each parent’s feed only', async () => {
    const ws = new Teams({ a: 3, b: 2 });
    const first = await readTeams(ws.api(T0), undefined);
    expect(first.records.map(keyOfMember).sort()).toEqual(['a/am1', 'a/am2', 'a/am3', 'b/bm1', 'b/bm2']);
    expect(first.records.every((r) => r['changed_at'] === T0)).toBe(true);
    const state = first.checkpoints.at(-1) as Row;
    expect(decoded(state)).toEqual({
      partitions: {
        a: { changed_at: T0, boundary: [], full_at: T0, keys: ['am1', 'am2', 'am3'] },
        b: { changed_at: T0, boundary: [], full_at: T0, keys: ['bm1', 'bm2'] },
      },
    });
    const api = ws.api(T0 + 60);
    const idle = await readTeams(api, state);
    expect(idle.records).toEqual([]);
    expect(paths(api).sort()).toEqual(['GET /v1/changes', 'GET /v1/changes', 'GET /v1/changes', 'GET /v1/changes', 'GET /v1/teams']);
    expect(idle.checkpoints.at(-1)).toEqual(state);
  });

  it('reads again only what a parent’s feed names, with that parent, and tombstones what it removes', async () => {
    const ws = new Teams({ a: 3, b: 2 });
    const state = (await readTeams(ws.api(T0), undefined)).checkpoints.at(-1);
    ws.edit('b', 'bm2', T0 + 10);
    ws.remove('a', 'am1', T0 + 20);
    const api = ws.api(T0 + 60);
    const out = await readTeams(api, state);
    expect(out.records.map((r) => [keyOfMember(r), r['changed_at'], r['_deleted_at'] ?? null])).toEqual(
      expect.arrayContaining([
        ['b/bm2', T0 + 10, null],
        ['a/am1', T0 + 60, new Date((T0 + 60) * 1000).toISOString()],
      ]),
    );
    expect(out.records).toHaveLength(2);
    expect(api.keys.filter((p) => p.startsWith('GET /v1/team_member'))).toEqual(['GET /v1/team_member?id=bm2&team=b']);
    const last = decoded(out.checkpoints.at(-1)) as { partitions: Record<string, Row> };
    expect(last.partitions['a']).toMatchObject({ changed_at: T0 + 20, keys: ['am2', 'am3'] });
    expect(last.partitions['b']).toMatchObject({ changed_at: T0 + 10, boundary: ['e0'], keys: ['bm1', 'bm2'] });
  });

  it('a parent no longer listed takes its records along (tombstones, state forgotten); a new parent is read whole', async () => {
    const ws = new Teams({ a: 2, b: 2 });
    const state = (await readTeams(ws.api(T0), undefined)).checkpoints.at(-1);
    ws.teams.delete('b');
    ws.teams.set('c', new Map([['cm1', { object_id: 'cm1', attributes: { v: '0' } }]]));
    const api = ws.api(T0 + 60);
    const out = await readTeams(api, state);
    expect(out.records.map((r) => [keyOfMember(r), r['_deleted_at'] === undefined ? 'live' : 'gone']).sort()).toEqual([
      ['b/bm1', 'gone'],
      ['b/bm2', 'gone'],
      ['c/cm1', 'live'],
    ]);
    expect(api.logs).toContain('INFO team_members: teams b is gone: tombstones for its 2 records');
    expect(api.logs).toContain('INFO team_members of teams c: reading everything: no bookmark yet (a first sync)');
    expect(Object.keys((out.checkpoints.at(-1) as { partitions: Row }).partitions).sort()).toEqual(['a', 'c']);
  });

  it('full refresh reads every parent whole and emits no tombstone', async () => {
    const ws = new Teams({ a: 2 });
    const state = (await readTeams(ws.api(T0), undefined)).checkpoints.at(-1);
    ws.remove('a', 'am2', T0 + 5);
    const out = await readTeams(ws.api(T0 + 60), state, 'full_refresh');
    expect(out.records.map((r) => [keyOfMember(r), r['changed_at']])).toEqual([['a/am1', T0 + 60]]);
  });

  const load = (value: unknown, warnings: string[] = []) =>
    loadStreamState(readerFor(teamMembers, 'incremental'), teamMembers, value, { file: 'state.json', warn: (m) => warnings.push(m) });

  it('a partitioned full refresh under way from before the feed: open parents continue from their page, finished ones are read again', async () => {
    const warnings: string[] = [];
    const loaded = load({ resume: { done: ['a'], open: { b: '2' } } }, warnings);
    expect(loaded).toEqual({ partitions: { b: { full: { state: { resume: { start: '2' } } } } } });
    expect(warnings).toEqual([
      'State of team_members is a full read under way written before team_members was incremental; 1 unfinished partitions continue, the others are read again',
    ]);
    const ws = new Teams({ a: 2, b: 3 });
    const out = await readTeams(ws.api(T0), loaded);
    expect(out.records.map(keyOfMember).sort()).toEqual(['a/am1', 'a/am2', 'b/bm3']);
  });

  it.each([
    [{ partitions: [] }, /team_members\.partitions must be an object/],
    [{ partitions: { a: 5 } }, /team_members\.partitions\.a must be an object/],
    [{ partitions: { a: { changed_at: 'x' } } }, /team_members\.partitions\.a\.changed_at must be a unix timestamp/],
    [{ partitions: { a: { changed_at: T0, keys: 5 } } }, /team_members\.partitions\.a\.keys is not a key set/],
  ])('refuses a damaged per-parent state %j, naming the field', (state, message) => {
    expect(() => load(state)).toThrow(message);
  });
});
