import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SUPPRESSION_TYPES, type Simulator, type SuppressionRecord, type SuppressionType } from '../src/index.js';
import { call, expectNoDuplicates, routeError, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start({ scale: 'medium' });
});
afterAll(() => sim.close());

interface Page {
  category?: string;
  suppressions: SuppressionRecord[] | null;
}

/** Offset paging as S3 does it: stop on a short page or a null list. */
async function readAll(type: SuppressionType, limit: number): Promise<{ records: SuppressionRecord[]; pages: Page[] }> {
  const records: SuppressionRecord[] = [];
  const pages: Page[] = [];
  for (let offset = 0; ; offset += limit) {
    const res = await call<Page>(sim, `/v1/esp/suppression/${type}?limit=${limit}&offset=${offset}`);
    expect(res.status).toBe(200);
    pages.push(res.json);
    const list = res.json.suppressions;
    if (list === null) break;
    records.push(...list);
    if (list.length < limit) break;
  }
  return { records, pages };
}

const CATEGORY: Record<SuppressionType, string> = { bounces: 'bounces', blocks: 'blocks', spam_reports: 'spam', invalid_emails: 'invalid_emails' };

describe('GET /v1/esp/suppression/{type}', () => {
  test('every type pages to the truth; sizes differ and exactly one list is empty', async () => {
    const sizes: number[] = [];
    for (const type of SUPPRESSION_TYPES) {
      const { records, pages } = await readAll(type, 70);
      const truth = sim.truth.suppressions(type);
      expect(records).toEqual(truth);
      expectNoDuplicates(records.map((r) => r.email));
      for (const p of pages) if (p.suppressions !== null) expect(p.category).toBe(CATEGORY[type]);
      for (let i = 1; i < records.length; i++) expect(records[i]?.created).toBeLessThan(records[i - 1]?.created ?? 0);
      for (const r of records) {
        expect(Object.keys(r)).toEqual(['created', 'email', 'reason', 'status']);
        expect(r.status).toBe('550');
      }
      sizes.push(truth.length);
    }
    expect(sizes[0]).toBe(300);
    expect(sizes.filter((n) => n === 0)).toHaveLength(1);
    expectNoDuplicates(sizes);
  });

  test('past the end (and for the empty list) the answer is {"suppressions": null} without a category', async () => {
    const size = sim.truth.suppressions('bounces').length;
    expect((await call(sim, `/v1/esp/suppression/bounces?offset=${size}`)).text).toBe('{"suppressions":null}');
    expect((await call(sim, `/v1/esp/suppression/bounces?offset=${size + 500}&limit=5`)).text).toBe('{"suppressions":null}');
    const empty = SUPPRESSION_TYPES.find((t) => sim.truth.suppressions(t).length === 0);
    expect((await call(sim, `/v1/esp/suppression/${empty}`)).text).toBe('{"suppressions":null}');
    // A last page that is exactly full is followed by the null answer.
    const exact = await readAll('bounces', 100);
    expect(exact.pages).toHaveLength(4);
    expect(exact.pages[3]).toEqual({ suppressions: null });
  });

  test('limit defaults to 100 and is clamped at 1000; offset defaults to 0', async () => {
    const first = await call<Page>(sim, '/v1/esp/suppression/bounces');
    expect(first.json.suppressions).toEqual(sim.truth.suppressions('bounces').slice(0, 100));
    const large = await start({ scale: 'large' });
    try {
      const big = await call<Page>(large, '/v1/esp/suppression/bounces?limit=5000');
      expect(big.json.suppressions).toHaveLength(1000);
      expect(large.truth.suppressions('bounces')).toHaveLength(3000);
    } finally {
      await large.close();
    }
  });

  test('unknown type, bad limit and bad offset → 400', async () => {
    for (const path of ['spam', 'unsubscribes', 'bounces?limit=0', 'bounces?offset=-1', 'bounces?offset=x']) {
      const res = await call(sim, `/v1/esp/suppression/${path}`);
      expect(res.status, path).toBe(400);
      expect(res.json).toEqual(routeError(`/v1/esp/suppression/${path}`, 400));
    }
  });
});
