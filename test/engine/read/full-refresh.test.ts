import { describe, expect, it } from 'vitest';
import { readStream } from '../../../src/engine/read-stream.js';
import { defineStream, type Row, type StreamSpec } from '../../../src/engine/stream.js';
import { drain, fail, idsOf, memoryApi, type Answer } from '../../helpers/memory-api.js';

/** A list read with page tokens, two records a page. */
const itemsSpec: StreamSpec = {
  name: 'items',
  schemaFile: 'snippets.json',
  scope: 'Items',
  resumable: true,
  path: '/v1/items',
  records: 'items',
  primaryKey: [['id']],
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 2 } },
};
const items = defineStream(itemsSpec);

const ITEM_PAGES: Record<string, Answer> = {
  'GET /v1/items?limit=2': { items: [{ id: 1 }, { id: 2 }], next: 'p2' },
  'GET /v1/items?limit=2&start=p2': { items: [{ id: 3 }, { id: 4 }], next: 'p3' },
  'GET /v1/items?limit=2&start=p3': { items: [{ id: 5 }], next: '' },
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

const kidsSpec: StreamSpec = {
  name: 'kids',
  schemaFile: 'snippets.json',
  scope: 'Parents',
  resumable: true,
  parent: parents,
  path: '/v1/parents/{id}/kids',
  records: 'kids',
  primaryKey: [['parent_id'], ['id']],
  fromParent: { parent_id: 'id' },
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 2 } },
};
const kids = defineStream(kidsSpec);

/** Three parents: `a` has two pages of children, `b` was deleted after the list was read, `c` has one page. */
const FAMILY: Record<string, Answer> = {
  'GET /v1/parents': { parents: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
  'GET /v1/parents/a/kids?limit=2': { kids: [{ id: 1 }, { id: 2 }], next: 'a2' },
  'GET /v1/parents/a/kids?limit=2&start=a2': { kids: [{ id: 3 }], next: null },
  'GET /v1/parents/b/kids?limit=2': fail('NOT_FOUND'),
  'GET /v1/parents/c/kids?limit=2': { kids: [{ id: 4 }, { id: 5 }] },
};

const kidKey = (r: Row): string => `${String(r['parent_id'])}/${String(r['id'])}`;

describe('full refresh of a resumable list', () => {
  it('emits each page, then the token of the next page as the state, and an empty state at the end', async () => {
    const api = memoryApi(ITEM_PAGES);
    const read = await drain(readStream(api.context(), items, 'full_refresh', undefined));
    expect(read.chunks).toEqual([
      { records: [{ id: 1 }, { id: 2 }] },
      { checkpoint: { resume: { start: 'p2' } } },
      { records: [{ id: 3 }, { id: 4 }] },
      { checkpoint: { resume: { start: 'p3' } } },
      { records: [{ id: 5 }] },
      { checkpoint: {} },
    ]);
    expect(api.keys).toEqual(Object.keys(ITEM_PAGES));
  });

  it('checkpoints an empty page that still carries a token, with no records chunk for it', async () => {
    const api = memoryApi({
      'GET /v1/items?limit=2': { items: [{ id: 1 }, { id: 2 }], next: 'p2' },
      'GET /v1/items?limit=2&start=p2': { items: null, next: 'p3' },
      'GET /v1/items?limit=2&start=p3': { items: [{ id: 3 }] },
    });
    const read = await drain(readStream(api.context(), items, 'full_refresh', undefined));
    expect(read.chunks).toEqual([
      { records: [{ id: 1 }, { id: 2 }] },
      { checkpoint: { resume: { start: 'p2' } } },
      { checkpoint: { resume: { start: 'p3' } } },
      { records: [{ id: 3 }] },
      { checkpoint: {} },
    ]);
  });

  it('killed after any chunk, restarts at the checkpointed page: no page before it asked again, no record lost', async () => {
    const api = memoryApi(ITEM_PAGES);
    const whole = await drain(readStream(api.context(), items, 'full_refresh', undefined));
    api.take();
    for (let n = 1; n < whole.chunks.length; n++) {
      const killed = await drain(readStream(api.context(), items, 'full_refresh', undefined), { stopAfter: n });
      api.take();
      const state = killed.checkpoints.at(-1);
      const resumed = await drain(readStream(api.context(), items, 'full_refresh', state));
      const token = (state?.['resume'] as Row | undefined)?.['start'];
      const asked = api.take();
      expect(asked[0], `killed after ${n}`).toBe(token === undefined ? 'GET /v1/items?limit=2' : `GET /v1/items?limit=2&start=${String(token)}`);
      expect(asked).toEqual(Object.keys(ITEM_PAGES).slice(Object.keys(ITEM_PAGES).indexOf(asked[0] as string)));
      // Exactly the records the checkpoint did not cover: none twice, none missing.
      expect([...idsOf(killed.covered), ...idsOf(resumed.records)], `killed after ${n}`).toEqual([1, 2, 3, 4, 5]);
      expect(resumed.checkpoints.at(-1)).toEqual({});
    }
  });

  it('a stream that is not resumable ignores a resume token: it reads everything and leaves only the empty state', async () => {
    const api = memoryApi(ITEM_PAGES);
    const plain = defineStream({ ...itemsSpec, resumable: false });
    const read = await drain(readStream(api.context(), plain, 'full_refresh', { resume: { start: 'p3' } }));
    expect(idsOf(read.records)).toEqual([1, 2, 3, 4, 5]);
    expect(read.checkpoints).toEqual([{}]);
    expect(api.keys).toHaveLength(3);
  });

  it('a repeated page token stops the read with API_RESPONSE_INVALID instead of looping', async () => {
    const api = memoryApi({
      'GET /v1/items?limit=2': { items: [{ id: 1 }, { id: 2 }], next: 'x' },
      'GET /v1/items?limit=2&start=x': { items: [{ id: 3 }], next: 'x' },
    });
    const read = await drain(readStream(api.context(), items, 'full_refresh', undefined), { keepError: true });
    expect(read.error).toMatchObject({ code: 'API_RESPONSE_INVALID', stream: 'items' });
    expect(api.keys).toHaveLength(2);
    // No STATE claims the stream is finished.
    expect(read.checkpoints).not.toContainEqual({});
  });
});

describe('full refresh of a child stream, partition by partition', () => {
  it('checkpoints open page tokens and finished partitions, and skips a parent deleted mid-sync with a log line', async () => {
    const api = memoryApi(FAMILY);
    const read = await drain(readStream(api.context(), kids, 'full_refresh', undefined));
    expect(read.chunks).toEqual([
      {
        records: [
          { id: 1, parent_id: 'a' },
          { id: 2, parent_id: 'a' },
        ],
      },
      { checkpoint: { resume: { done: [], open: { a: 'a2' } } } },
      { records: [{ id: 3, parent_id: 'a' }] },
      { checkpoint: { resume: { done: ['a'], open: {} } } },
      { checkpoint: { resume: { done: ['a', 'b'], open: {} } } },
      {
        records: [
          { id: 4, parent_id: 'c' },
          { id: 5, parent_id: 'c' },
        ],
      },
      { checkpoint: { resume: { done: ['a', 'b', 'c'], open: {} } } },
      { checkpoint: {} },
    ]);
    expect(api.keys).toEqual(Object.keys(FAMILY));
    expect(api.logs).toContain('INFO kids: parents b no longer exists (404); skipped');
  });

  it('killed after any chunk, restarts without asking a finished partition or a checkpointed page again', async () => {
    const api = memoryApi(FAMILY);
    const whole = await drain(readStream(api.context(), kids, 'full_refresh', undefined));
    const all = whole.records.map(kidKey);
    for (let n = 1; n < whole.chunks.length; n++) {
      const killed = await drain(readStream(api.context(), kids, 'full_refresh', undefined), { stopAfter: n });
      const state = killed.checkpoints.at(-1);
      const resume = (state?.['resume'] ?? { done: [], open: {} }) as { done: string[]; open: Record<string, string> };
      api.take();
      const resumed = await drain(readStream(api.context(), kids, 'full_refresh', state));
      const asked = api.take();
      for (const key of resume.done)
        expect(
          asked.filter((k) => k.startsWith(`GET /v1/parents/${key}/`)),
          `killed after ${n}`,
        ).toEqual([]);
      for (const [key, token] of Object.entries(resume.open)) {
        expect(asked.filter((k) => k.startsWith(`GET /v1/parents/${key}/`))[0]).toBe(`GET /v1/parents/${key}/kids?limit=2&start=${token}`);
      }
      expect([...killed.covered.map(kidKey), ...resumed.records.map(kidKey)].sort(), `killed after ${n}`).toEqual([...all].sort());
      expect(resumed.checkpoints.at(-1)).toEqual({});
    }
  });

  it('a parent gone with onGone "fail" fails the stream with NOT_FOUND', async () => {
    const strict = defineStream({ ...kidsSpec, parent: { stream: parents, onGone: 'fail' } });
    const read = await drain(readStream(memoryApi(FAMILY).context(), strict, 'full_refresh', undefined), { keepError: true });
    expect(read.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(read.checkpoints).not.toContainEqual({});
  });

  it('a resume state of another shape is not trusted: the read starts over', async () => {
    const api = memoryApi(FAMILY);
    const read = await drain(readStream(api.context(), kids, 'full_refresh', { resume: { done: 'a', open: 'x' } }));
    expect(read.records.map(kidKey)).toEqual(['a/1', 'a/2', 'a/3', 'c/4', 'c/5']);
    expect(api.keys).toEqual(Object.keys(FAMILY));
  });
});
