import { describe, expect, it } from 'vitest';
import type { SyncContext } from '../../../src/engine/context.js';
import { decodeKeys } from '../../../src/engine/key-set.js';
import { readStream } from '../../../src/engine/read-stream.js';
import { defineStream, type Row, type StreamSpec } from '../../../src/engine/stream.js';
import { drain, fail, idsOf, memoryApi, type Answer, type ContextOptions, type MemoryApi } from '../../helpers/memory-api.js';

const NOW = 1_700_000_000; // the sync's start
const DELETES = { field: '_deleted_at', emit: true, maxKeys: 100 };
const DELETED_AT = new Date(NOW * 1000).toISOString();

/** A list the API cannot filter by time, two pages; its schema (snippets.json) is id, name, value, updated_at. */
const notesSpec: StreamSpec = {
  name: 'notes',
  schemaFile: 'snippets.json',
  scope: 'Notes',
  path: '/v1/notes',
  records: 'notes',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 100 },
  pagination: { kind: 'cursor', next: 'next', param: 'start' },
};
const notes = defineStream(notesSpec);

const NOTE_PAGES: Record<string, Answer> = {
  'GET /v1/notes': {
    notes: [
      { id: 1, updated_at: 4_899 },
      { id: 3, updated_at: 4_900 },
    ],
    next: 'n2',
  },
  'GET /v1/notes?start=n2': { notes: [{ id: 4, updated_at: 6_000 }, { id: 5 }], next: '' },
};

const parents = defineStream({
  name: 'parents',
  schemaFile: 'snippets.json',
  scope: 'Parents',
  path: '/v1/parents',
  records: 'parents',
  primaryKey: [['id']],
  pagination: { kind: 'none' },
});

/** One child list per parent; its key within a partition is `id` (parent_id comes from the parent). */
const parentNotes = defineStream({
  name: 'parent_notes',
  schemaFile: 'snippets.json',
  scope: 'Parents',
  parent: parents,
  path: '/v1/parents/{id}/notes',
  records: 'notes',
  primaryKey: [['parent_id'], ['id']],
  fromParent: { parent_id: 'id' },
  cursor: { mode: 'client-filter', field: 'updated_at' },
  pagination: { kind: 'none' },
});

/**
 * The last sync saw parents a, b and z. Since then a lost child 2 and gained 3, b was deleted
 * after this sync listed it (404 on its children), z is no longer listed, c is new.
 */
const BEFORE = {
  partitions: {
    a: { updated_at: 200, keys: ['1', '2'] },
    b: { updated_at: 300, keys: ['5'] },
    z: { updated_at: 50, keys: ['9'] },
  },
};
const FAMILY: Record<string, Answer> = {
  'GET /v1/parents': { parents: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
  'GET /v1/parents/a/notes': {
    notes: [
      { id: 1, updated_at: 200 },
      { id: 3, updated_at: 250 },
      { id: 0, updated_at: 150 },
    ],
  },
  'GET /v1/parents/b/notes': fail('NOT_FOUND'),
  'GET /v1/parents/c/notes': { notes: [{ id: 7, updated_at: 100 }] },
};

const tombstone = (fields: Row): Row => ({ name: null, value: null, updated_at: NOW, _deleted_at: DELETED_AT, ...fields });

function read(api: MemoryApi, def = notes, state: unknown = undefined, options: ContextOptions = {}) {
  const ctx: SyncContext = api.context(options);
  return drain(readStream(ctx, def, 'incremental', state));
}

/** Key sets are stored encoded: compare what they hold. */
function withKeySets(state: Record<string, unknown> | undefined): unknown {
  return JSON.parse(JSON.stringify(state ?? {}), (key, value: unknown) => (key === 'keys' ? [...(decodeKeys(value) ?? ['not a key set'])].sort() : value));
}

describe('client filter of a whole list', () => {
  it('a first sync emits every record, records without a cursor included, and bookmarks the newest cursor', async () => {
    const api = memoryApi(NOTE_PAGES, { now: NOW });
    const out = await read(api);
    expect(idsOf(out.records)).toEqual([1, 3, 4, 5]);
    expect(out.checkpoints).toEqual([{ updated_at: 6_000 }]);
    expect(api.keys).toEqual(['GET /v1/notes', 'GET /v1/notes?start=n2']);
  });

  it('keeps the records at or after the bookmark less the lookback, reading the whole list for them', async () => {
    const api = memoryApi(NOTE_PAGES, { now: NOW });
    const out = await read(api, notes, { updated_at: 5_000 });
    // 4,899 is older than 5,000 - 100; 4,900 is the first second kept.
    expect(idsOf(out.records)).toEqual([3, 4, 5]);
    expect(out.checkpoints).toEqual([{ updated_at: 6_000 }]);
    expect(api.keys).toHaveLength(2);
  });

  it('never moves the bookmark back, nor past the sync start (a record changed during the sync is read again next time)', async () => {
    const older = memoryApi({ 'GET /v1/notes': { notes: [{ id: 1, updated_at: 8_000 }] } }, { now: NOW });
    expect((await read(older, notes, { updated_at: 9_000 })).checkpoints).toEqual([{ updated_at: 9_000 }]);
    const during = memoryApi({ 'GET /v1/notes': { notes: [{ id: 1, updated_at: NOW + 50 }] } }, { now: NOW });
    const out = await read(during, notes, { updated_at: 9_000 });
    expect(idsOf(out.records)).toEqual([1]);
    expect(out.checkpoints).toEqual([{ updated_at: NOW }]);
  });

  it('a key of the last sync that is gone gets a tombstone: key, cursor and deleted-at set to the sync start, the rest null', async () => {
    const api = memoryApi(NOTE_PAGES, { now: NOW });
    const out = await read(api, notes, { updated_at: 5_000, keys: ['1', '2', '3', '4', '5'] }, { deletes: DELETES });
    expect(out.chunks.map((c) => ('records' in c ? idsOf(c.records) : 'state'))).toEqual([[3], [4, 5], ['2'], 'state']);
    expect(out.records.at(-1)).toEqual(tombstone({ id: '2' }));
    expect(withKeySets(out.checkpoints[0])).toEqual({ updated_at: 6_000, keys: ['1', '3', '4', '5'] });
    // The tombstones cost no request: the list is read whole anyway.
    expect(api.keys).toHaveLength(2);
  });

  it('a state from before key sets makes no tombstone and starts keeping keys', async () => {
    const out = await read(memoryApi(NOTE_PAGES, { now: NOW }), notes, { updated_at: 5_000 }, { deletes: DELETES });
    expect(idsOf(out.records)).toEqual([3, 4, 5]);
    expect(withKeySets(out.checkpoints[0])).toEqual({ updated_at: 6_000, keys: ['1', '3', '4', '5'] });
  });

  it('keeps no keys with tombstones off, and drops them past the size limit with a WARN', async () => {
    const off = await read(memoryApi(NOTE_PAGES, { now: NOW }), notes, { updated_at: 5_000, keys: ['2'] }, { deletes: { ...DELETES, emit: false } });
    expect(idsOf(off.records)).toEqual([3, 4, 5]);
    expect(off.checkpoints).toEqual([{ updated_at: 6_000 }]);
    const api = memoryApi(NOTE_PAGES, { now: NOW });
    const big = await read(api, notes, { updated_at: 5_000, keys: ['2'] }, { deletes: { ...DELETES, maxKeys: 3 } });
    expect(big.checkpoints).toEqual([{ updated_at: 6_000 }]);
    expect(api.logs.some((line) => line.startsWith('WARN notes: more than 3 keys'))).toBe(true);
  });

  it('has no resume point inside the list: killed anywhere, the restart reads from the old bookmark and loses nothing', async () => {
    const api = memoryApi(NOTE_PAGES, { now: NOW });
    const whole = await read(api, notes, { updated_at: 5_000 });
    for (let n = 1; n < whole.chunks.length; n++) {
      const killed = await drain(readStream(api.context(), notes, 'incremental', { updated_at: 5_000 }), { stopAfter: n });
      expect(killed.checkpoints).toEqual([]);
      expect(await read(api, notes, { updated_at: 5_000 })).toEqual(whole);
    }
  });

  it('a repeated page token fails with API_RESPONSE_INVALID and moves no bookmark', async () => {
    const api = memoryApi(
      { 'GET /v1/notes': { notes: [{ id: 1, updated_at: 9_999 }], next: 'x' }, 'GET /v1/notes?start=x': { notes: [], next: 'x' } },
      { now: NOW },
    );
    const out = await drain(readStream(api.context(), notes, 'incremental', { updated_at: 5_000 }), { keepError: true });
    expect(out.error).toMatchObject({ code: 'API_RESPONSE_INVALID' });
    expect(out.checkpoints).toEqual([]);
  });
});

describe('client filter of a child stream, per partition', () => {
  it('bookmarks and key sets per parent; tombstones for a gone child, a parent deleted mid-sync and a parent no longer listed', async () => {
    const api = memoryApi(FAMILY, { now: NOW });
    const out = await read(api, parentNotes, BEFORE, { deletes: DELETES });
    expect(out.records).toEqual([
      { id: 1, updated_at: 200, parent_id: 'a' },
      { id: 3, updated_at: 250, parent_id: 'a' },
      tombstone({ parent_id: 'a', id: '2' }),
      tombstone({ parent_id: 'b', id: '5' }),
      { id: 7, updated_at: 100, parent_id: 'c' },
      tombstone({ parent_id: 'z', id: '9' }),
    ]);
    const a = { updated_at: 250, keys: ['0', '1', '3'] };
    const c = { updated_at: 100, keys: ['7'] };
    expect(out.checkpoints.map(withKeySets)).toEqual([
      { partitions: { ...BEFORE.partitions, a } },
      { partitions: { a, z: BEFORE.partitions.z } },
      { partitions: { a, z: BEFORE.partitions.z, c } },
      { partitions: { a, c } },
    ]);
    expect(api.keys).toEqual(Object.keys(FAMILY));
    expect(api.logs).toContain('INFO parent_notes: parents b no longer exists (404); skipped');
  });

  it('killed after any chunk, the restart ends in the same state, loses no record or tombstone and re-emits nothing older than a finished bookmark', async () => {
    const api = memoryApi(FAMILY, { now: NOW });
    const key = (r: Row): string => `${String(r['parent_id'])}/${String(r['id'])}${r['_deleted_at'] ? ' gone' : ''}`;
    const whole = await read(api, parentNotes, BEFORE, { deletes: DELETES });
    for (let n = 1; n < whole.chunks.length; n++) {
      const killed = await drain(readStream(api.context({ deletes: DELETES }), parentNotes, 'incremental', BEFORE), { stopAfter: n });
      const state = killed.checkpoints.at(-1) ?? BEFORE;
      const resumed = await read(api, parentNotes, state, { deletes: DELETES });
      expect(resumed.checkpoints.at(-1), `killed after ${n}`).toEqual(whole.checkpoints.at(-1));
      const got = new Set([...killed.covered, ...resumed.records].map(key));
      for (const record of whole.records) expect(got.has(key(record)), `${key(record)}, killed after ${n}`).toBe(true);
      // What a partition's checkpoint covers is not emitted again, except records at its bookmark (the filter keeps >=).
      const partitions = (state['partitions'] ?? {}) as Record<string, Row>;
      const covered = new Set(killed.covered.map(key));
      for (const record of resumed.records.filter((r) => covered.has(key(r)))) {
        expect(record['updated_at'], `${key(record)} again, killed after ${n}`).toBe(partitions[String(record['parent_id'])]?.['updated_at']);
      }
    }
  });
});
