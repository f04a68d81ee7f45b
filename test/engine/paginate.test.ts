import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { ApiRequest } from '../../src/http/client.js';
import { DEFAULT_CONCURRENCY, type SyncContext } from '../../src/engine/context.js';
import { pages } from '../../src/engine/paginate.js';
import { defineStream } from '../../src/engine/stream.js';

/** A scripted API: answers the bodies in order and records what was asked. */
function scripted(bodies: unknown[]): { ctx: SyncContext; asked: ApiRequest[] } {
  const asked: ApiRequest[] = [];
  const api = {
    request: async (request: ApiRequest) => {
      asked.push(request);
      if (bodies.length === 0) throw new Error('no more scripted answers');
      return bodies.shift();
    },
  };
  const ctx = {
    api,
    config: {},
    logger: { log: () => undefined },
    clock: systemClock,
    signal: new AbortController().signal,
    syncStartedAt: 0,
    concurrency: DEFAULT_CONCURRENCY,
    parentCache: new Map(),
  } as unknown as SyncContext;
  return { ctx, asked };
}

const listed = defineStream({
  name: 'things',
  schemaFile: 'campaigns.json',
  scope: 'Things',
  path: '/v1/things',
  records: 'things',
  primaryKey: [['id']],
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 2 } },
});

async function all(ctx: SyncContext) {
  const out: unknown[] = [];
  for await (const page of pages(ctx, listed)) out.push(...page.records);
  return out;
}

describe('cursor pagination', () => {
  it('passes next back as start and stops on "", null or a missing next', async () => {
    for (const end of [{ next: '' }, { next: null }, {}]) {
      const { ctx, asked } = scripted([
        { things: [{ id: 1 }, { id: 2 }], next: 'MQ==' },
        { things: [{ id: 3 }], ...end },
      ]);
      expect(await all(ctx)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(asked.map((r) => r.query)).toEqual([{ limit: 2 }, { limit: 2, start: 'MQ==' }]);
    }
  });

  it('keeps going after an empty page that still carries a token', async () => {
    const { ctx } = scripted([
      { things: [], next: 'a' },
      { things: null, next: 'b' },
      { things: [{ id: 9 }], next: '' },
    ]);
    expect(await all(ctx)).toEqual([{ id: 9 }]);
  });

  it('stops with an error on a repeated token instead of looping', async () => {
    const { ctx, asked } = scripted([
      { things: [{ id: 1 }], next: 'x' },
      { things: [{ id: 2 }], next: 'x' },
      { things: [], next: '' },
    ]);
    await expect(all(ctx)).rejects.toMatchObject({ code: 'API_RESPONSE_INVALID', message: expect.stringMatching(/token "x" twice/) });
    expect(asked).toHaveLength(2);
  });

  it('rejects a body without the records key, or a next that is not a string', async () => {
    await expect(all(scripted([{ other: [] }]).ctx)).rejects.toMatchObject({
      code: 'API_RESPONSE_INVALID',
      message: expect.stringMatching(/without "things"/),
    });
    await expect(all(scripted([{ things: [], next: 5 }]).ctx)).rejects.toMatchObject({ message: expect.stringMatching(/"next" as number/) });
  });
});

describe('a hydrate answer that pages on', () => {
  const lists = defineStream({
    name: 'lists',
    schemaFile: 'campaigns.json',
    scope: 'Lists',
    method: 'POST',
    path: '/v1/owners',
    records: 'ids',
    primaryKey: [['id']],
    pagination: {
      kind: 'search-then-hydrate',
      search: { path: '/v1/owners', body: () => ({}), pageSize: 10, idsFrom: (body) => body['ids'] as string[] },
      hydrate: {
        batchSize: 1,
        request: ([id]) => ({ path: `/v1/owners/${String(id)}/items`, query: { limit: 2 } }),
        next: { field: 'next', param: 'start' },
        records: (body, _parent, ids) => ((body['items'] ?? []) as Array<Record<string, unknown>>).map((item) => ({ owner: ids?.[0], ...item })),
      },
    },
  });

  it('is followed page by page for each id, each record told the id it was asked for', async () => {
    const { ctx, asked } = scripted([
      { ids: ['a', 'b'], next: '' },
      { items: [{ id: 1 }, { id: 2 }], next: 'p2' },
      { items: [{ id: 3 }], next: '' },
      { items: null, next: '' },
    ]);
    const out: unknown[] = [];
    for await (const page of pages({ ...ctx, concurrency: { ...ctx.concurrency, hydrate: 1 } }, lists)) out.push(...page.records);
    expect(out).toEqual([
      { owner: 'a', id: 1 },
      { owner: 'a', id: 2 },
      { owner: 'a', id: 3 },
    ]);
    expect(asked.slice(1).map((r) => [r.path, r.query])).toEqual([
      ['/v1/owners/a/items', { limit: 2 }],
      ['/v1/owners/a/items', { limit: 2, start: 'p2' }],
      ['/v1/owners/b/items', { limit: 2 }],
    ]);
  });
});
