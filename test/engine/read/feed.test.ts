import { describe, expect, it } from 'vitest';
import { readStream } from '../../../src/engine/read-stream.js';
import { defineStream } from '../../../src/engine/stream.js';
import { drain, idsOf, memoryApi, type Answer, type ContextOptions, type MemoryApi } from '../../helpers/memory-api.js';

const NOW = 1_000_000; // the sync's start

/** A newest-first feed, three records a page. */
const happenings = defineStream({
  name: 'happenings',
  schemaFile: 'snippets.json',
  scope: 'Happenings',
  path: '/v1/happenings',
  records: 'happenings',
  primaryKey: [['id']],
  cursor: { mode: 'feed', field: 'timestamp' },
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 3 } },
});

const at = (id: number, timestamp: number) => ({ id, timestamp });
const PAGE_1 = 'GET /v1/happenings?limit=3';
const PAGE_2 = 'GET /v1/happenings?limit=3&start=p2';
const PAGE_3 = 'GET /v1/happenings?limit=3&start=p3';
/** Record 9 happened after the sync started. */
const FEED: Record<string, Answer> = {
  [PAGE_1]: { happenings: [at(9, NOW + 10), at(8, 900), at(7, 800)], next: 'p2' },
  [PAGE_2]: { happenings: [at(6, 700), at(5, 600), at(4, 500)], next: 'p3' },
  [PAGE_3]: { happenings: [at(3, 400), at(2, 300), at(1, 200)], next: '' },
};

function read(api: MemoryApi, state: unknown, options: ContextOptions = {}) {
  return drain(readStream(api.context(options), happenings, 'incremental', state));
}

describe('feed', () => {
  it('a first sync reads the whole feed, leaves what happened after the sync start, and bookmarks the newest record kept', async () => {
    const api = memoryApi(FEED, { now: NOW });
    const out = await read(api, undefined);
    expect(out.chunks).toEqual([
      { records: [at(8, 900), at(7, 800)] },
      { records: [at(6, 700), at(5, 600), at(4, 500)] },
      { records: [at(3, 400), at(2, 300), at(1, 200)] },
      { checkpoint: { timestamp: 900 } },
    ]);
    expect(api.keys).toEqual([PAGE_1, PAGE_2, PAGE_3]);
  });

  it('stops after the page that reaches past the bookmark: the older pages are not asked', async () => {
    const api = memoryApi(FEED, { now: NOW });
    const out = await read(api, { timestamp: 600 });
    // 600 itself is kept (the bookmark is inclusive); 500 is past it.
    expect(idsOf(out.records)).toEqual([8, 7, 6, 5]);
    expect(out.checkpoints).toEqual([{ timestamp: 900 }]);
    expect(api.keys).toEqual([PAGE_1, PAGE_2]);
  });

  it('with nothing new, asks one page and keeps the bookmark where it was', async () => {
    const api = memoryApi(FEED, { now: NOW });
    const out = await read(api, { timestamp: 950 });
    expect(out.records).toEqual([]);
    expect(out.checkpoints).toEqual([{ timestamp: 950 }]);
    expect(api.keys).toEqual([PAGE_1]);
  });

  it('a first sync with a range reads from its start, and bookmarks nothing at or after its end', async () => {
    const from = memoryApi(FEED, { now: NOW });
    expect(idsOf((await read(from, undefined, { range: { start: 450 } })).records)).toEqual([8, 7, 6, 5, 4]);
    expect(from.keys).toEqual([PAGE_1, PAGE_2, PAGE_3]);
    const until = await read(memoryApi(FEED, { now: NOW }), undefined, { range: { end: 750 } });
    expect(idsOf(until.records)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(until.checkpoints).toEqual([{ timestamp: 700 }]);
  });

  it('a bookmark older than the range start reads from the range start: nothing before start_date', async () => {
    const out = await read(memoryApi(FEED, { now: NOW }), { timestamp: 300 }, { range: { start: 650 } });
    expect(idsOf(out.records)).toEqual([8, 7, 6]);
    expect(out.checkpoints).toEqual([{ timestamp: 900 }]);
  });

  it('an empty feed leaves an empty state (there is no bookmark to keep)', async () => {
    const out = await read(memoryApi({ [PAGE_1]: { happenings: null, next: null } }, { now: NOW }), undefined);
    expect(out.chunks).toEqual([{ checkpoint: {} }]);
  });

  it('has no resume point before its end: killed anywhere, the restart from the old bookmark reads the same records', async () => {
    const api = memoryApi(FEED, { now: NOW });
    const whole = await read(api, { timestamp: 300 });
    for (let n = 1; n < whole.chunks.length; n++) {
      const killed = await drain(readStream(api.context(), happenings, 'incremental', { timestamp: 300 }), { stopAfter: n });
      // A bookmark moved before the end would skip the older records not yet read.
      expect(killed.checkpoints).toEqual([]);
      expect(await read(api, { timestamp: 300 })).toEqual(whole);
    }
  });

  it('a repeated page token fails with API_RESPONSE_INVALID and moves no bookmark', async () => {
    const api = memoryApi(
      {
        [PAGE_1]: { happenings: [at(8, 900)], next: 'x' },
        'GET /v1/happenings?limit=3&start=x': { happenings: [at(7, 800)], next: 'x' },
      },
      { now: NOW },
    );
    const out = await drain(readStream(api.context(), happenings, 'incremental', { timestamp: 100 }), { keepError: true });
    expect(out.error).toMatchObject({ code: 'API_RESPONSE_INVALID' });
    expect(out.checkpoints).toEqual([]);
    expect(api.keys).toHaveLength(2);
  });
});
