import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customerWrapped, type CustomerRecord, type IdentifiersEntry, type ServedCustomer, type Simulator } from '../src/index.js';
import { call, expectNoDuplicates, start, walk } from './helpers.js';

const MATCH_ALL = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

const identifiers = (page: Record<string, unknown>): IdentifiersEntry[] | null => page.identifiers as IdentifiersEntry[] | null;
const bare = (c: ServedCustomer | undefined): CustomerRecord | undefined => (c !== undefined && 'customer' in c ? c.customer : c);

describe('POST /v1/customers (search)', () => {
  test('the match-all filter pages through every person once', async () => {
    const w = await walk(sim, '/v1/customers?limit=120', identifiers, { body: MATCH_ALL });
    expect(w.records.map((r) => r.cio_id)).toEqual([...sim.truth.peopleCioIds()]);
    expectNoDuplicates(w.records.map((r) => r.cio_id));
    expect(w.pages).toBe(5);
  });

  test('segment, not and eq filters', async () => {
    const seg = sim.truth.segments().find((s) => sim.truth.segmentMembers(s.id).length > 0);
    const members = new Set(sim.truth.segmentMemberCioIds(seg?.id ?? 0));
    const inSeg = await walk(sim, '/v1/customers?limit=1000', identifiers, { body: { filter: { segment: { id: seg?.id } } } });
    expect(new Set(inSeg.records.map((r) => r.cio_id))).toEqual(members);
    const outSeg = await walk(sim, '/v1/customers?limit=1000', identifiers, { body: { filter: { not: { segment: { id: seg?.id } } } } });
    expect(outSeg.records.length + members.size).toBe(sim.truth.peopleCount());
    const [someone] = sim.truth.peopleCioIds();
    const eq = await call(sim, '/v1/customers', { body: { filter: { attribute: { field: 'cio_id', operator: 'eq', value: someone } } } });
    expect((eq.json.identifiers as IdentifiersEntry[])[0]?.cio_id).toBe(someone);
  });

  test('nobody matches → identifiers null, ids null, next ""', async () => {
    const res = await call(sim, '/v1/customers', { body: { filter: { attribute: { field: 'email', operator: 'eq', value: 'nobody@nowhere' } } } });
    expect(res.json).toEqual({ identifiers: null, ids: null, next: '' });
  });

  test('filter is required and validated; limit is clamped to 1000', async () => {
    expect((await call(sim, '/v1/customers', { body: {} })).status).toBe(400);
    expect((await call(sim, '/v1/customers', { body: 'not json' })).status).toBe(400);
    expect((await call(sim, '/v1/customers', { body: { filter: { attribute: { field: 'x', operator: 'gt' } } } })).status).toBe(400);
    expect((await call(sim, '/v1/customers', { body: { filter: { and: [], or: [] } } })).status).toBe(400);
    const nested = await call(sim, '/v1/customers', {
      body: { filter: { or: [{ segment: { id: 1 } }, { not: { attribute: { field: 'x', operator: 'gt' } } }] } },
    });
    expect(nested.status).toBe(400);
    expect(nested.text).toMatch(/filter\.or\[1\]\.not\.attribute\.operator must be eq or exists/);
    const big = await call(sim, '/v1/customers?limit=5000', { body: MATCH_ALL });
    expect(big.json.identifiers as unknown[]).toHaveLength(500);
  });
});

describe('POST /v1/customers/attributes', () => {
  test('hydrates up to 100 cio_ids, bare and wrapped side by side, string attribute values, unknown ids omitted', async () => {
    const ids = [...sim.truth.peopleCioIds()].slice(0, 99);
    const res = await call<{ customers: ServedCustomer[] }>(sim, '/v1/customers/attributes?id_type=cio_id', {
      body: { ids: [...ids, 'ffffffff'] },
    });
    expect(res.status).toBe(200);
    expect(res.json.customers.map((c) => bare(c)?.identifiers.cio_id)).toEqual(ids);
    expect(res.json.customers).toEqual(ids.map((id) => sim.truth.customer(id)));
    // §7.12: the docs example wraps each item in {customer: …}, live (S3) serves them bare.
    const wrapped = res.json.customers.filter((c) => 'customer' in c);
    expect(wrapped.length).toBeGreaterThan(10);
    expect(wrapped.length).toBeLessThan(60);
    for (const c of res.json.customers) {
      const record = bare(c);
      expect('customer' in c).toBe(customerWrapped(1, record?.identifiers.cio_id ?? ''));
      if ('customer' in c) expect(Object.keys(c)).toEqual(['customer']);
      expect(Object.keys(record ?? {})).toEqual(['id', 'identifiers', 'attributes', 'devices', 'timestamps', 'unsubscribed']);
      for (const v of Object.values(record?.attributes ?? {})) expect(typeof v).toBe('string');
    }
  });

  test('more than 100 ids → 400; missing ids → 400; empty → customers null; id_type=id', async () => {
    const ids = [...sim.truth.peopleCioIds()].slice(0, 101);
    expect((await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids } })).status).toBe(400);
    expect((await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: {} })).status).toBe(400);
    expect((await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: [] } })).json).toEqual({ customers: null });
    const withId = [...sim.truth.peopleCioIds()].map((id) => sim.truth.customer(id)).find((c) => bare(c)?.id !== null);
    const byId = await call<{ customers: ServedCustomer[] }>(sim, '/v1/customers/attributes?id_type=id', {
      body: { ids: [bare(withId)?.id, 'user_999999'] },
    });
    expect(byId.json.customers).toEqual([withId]);
    expect((await call(sim, '/v1/customers/attributes?id_type=phone', { body: { ids: ['x'] } })).status).toBe(400);
  });
});
