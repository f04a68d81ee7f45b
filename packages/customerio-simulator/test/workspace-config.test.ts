import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Exports } from '../src/data/exports.js';
import type {
  ChannelRecord,
  CollectionRecord,
  ExportRecord,
  ReportingWebhookRecord,
  SenderIdentityRecord,
  Simulator,
  SnippetRecord,
  TopicRecord,
} from '../src/index.js';
import { call, expectNoDuplicates, list, NOW, start, walk } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

describe('GET /v1/sender_identities', () => {
  test('hidden=false and hidden=true walk to disjoint halves that together are every sender', async () => {
    const visible = await walk<SenderIdentityRecord>(sim, '/v1/sender_identities?limit=3', list('sender_identities'));
    const hidden = await walk<SenderIdentityRecord>(sim, '/v1/sender_identities?hidden=true&limit=1', list('sender_identities'));
    const all = sim.truth.senderIdentities();
    expect(all).toHaveLength(6);
    expect(visible.records).toEqual(all.filter((s) => !s.hidden));
    expect(hidden.records).toEqual(all.filter((s) => s.hidden));
    expect(hidden.records).toHaveLength(2);
    expect(visible.pages).toBe(2);
    expect(hidden.pages).toBe(2);
    expectNoDuplicates([...visible.records, ...hidden.records].map((s) => s.id));
    // Explicit hidden=false is the default.
    expect((await call(sim, '/v1/sender_identities?hidden=false&limit=3')).text).toBe((await call(sim, '/v1/sender_identities?limit=3')).text);
  });

  test('sort=desc reverses; default page 10 and a 1000 clamp at large scale; bad values → 400', async () => {
    const desc = await walk<SenderIdentityRecord>(sim, '/v1/sender_identities?sort=desc&limit=2', list('sender_identities'));
    expect(desc.records).toEqual(
      sim.truth
        .senderIdentities()
        .filter((s) => !s.hidden)
        .reverse(),
    );
    for (const bad of ['hidden=yes', 'sort=newest', 'limit=0', 'limit=x', 'start=%%%']) {
      expect((await call(sim, `/v1/sender_identities?${bad}`)).status, bad).toBe(400);
    }
    const large = await start({ scale: 'large' });
    try {
      const page = await call<{ sender_identities: SenderIdentityRecord[]; next: string }>(large, '/v1/sender_identities');
      expect(page.json.sender_identities).toHaveLength(10);
      expect(page.json.next).not.toBe('');
      const visible = large.truth.senderIdentities().filter((s) => !s.hidden).length;
      const big = await call<{ sender_identities: SenderIdentityRecord[]; next: string }>(large, '/v1/sender_identities?limit=5000');
      expect(big.json.sender_identities).toHaveLength(visible);
      expect(big.json.next).toBe('');
    } finally {
      await large.close();
    }
  });

  test('action from_id and reply_to_id values (integers or numeric strings) name existing senders', () => {
    const ids = new Set(sim.truth.senderIdentities().map((s) => s.id));
    const refs = sim.truth
      .campaigns()
      .flatMap((c) => sim.truth.campaignActions(c.id))
      .flatMap((a) => [a.from_id, a.reply_to_id]);
    for (const id of refs) if (id !== null) expect(ids.has(Number(id))).toBe(true);
  });
});

describe('unpaged configuration lists', () => {
  test('snippets: name-keyed, no id, equal to the truth', async () => {
    const res = await call<{ snippets: SnippetRecord[] }>(sim, '/v1/snippets');
    expect(Object.keys(res.json)).toEqual(['snippets']);
    expect(res.json.snippets).toEqual(sim.truth.snippets());
    expect(res.json.snippets).toHaveLength(5);
    expectNoDuplicates(res.json.snippets.map((s) => s.name));
    for (const s of res.json.snippets) expect(Object.keys(s)).toEqual(['name', 'value', 'updated_at']);
  });

  test('collections, topics, channels: equal to the truth, with the documented shapes', async () => {
    const collections = await call<{ collections: CollectionRecord[] }>(sim, '/v1/collections');
    expect(collections.json.collections).toEqual(sim.truth.collections());
    expect(collections.json.collections).toHaveLength(3);
    for (const c of collections.json.collections) expect(c.updated_at).toBeGreaterThanOrEqual(c.created_at);

    const topics = await call<{ topics: TopicRecord[] }>(sim, '/v1/subscription_topics');
    expect(Object.keys(topics.json)).toEqual(['topics']);
    expect(topics.json.topics).toEqual(sim.truth.topics());
    for (const t of topics.json.topics) expect(t.identifier).toBe(`topic_${t.id}`);

    const channels = await call<{ channels: ChannelRecord[] }>(sim, '/v1/subscription_channels');
    expect(Object.keys(channels.json)).toEqual(['channels']);
    expect(channels.json.channels).toEqual(sim.truth.channels());
    expect(channels.json.channels).toHaveLength(4);
    for (const c of channels.json.channels) expect(Object.keys(c)).toEqual(['id', 'name', 'description', 'subscribed_by_default', 'type']);
  });

  test('reporting webhooks: some endpoints carry user:password@ and a token, as served', async () => {
    const res = await call<{ reporting_webhooks: ReportingWebhookRecord[] }>(sim, '/v1/reporting_webhooks');
    expect(res.json.reporting_webhooks).toEqual(sim.truth.reportingWebhooks());
    const endpoints = res.json.reporting_webhooks.map((w) => w.endpoint);
    expect(endpoints[0]).toBe('https://user:secret1@hooks.example.com/cio/1?token=abc1');
    expect(endpoints.some((e) => new URL(e).password === '' && new URL(e).searchParams.has('token'))).toBe(true);
    expect(endpoints.some((e) => !e.includes('@') && !e.includes('token'))).toBe(true);
  });

  test('workspaces count the object types and objects', async () => {
    const [ws] = sim.truth.workspaces();
    const types = sim.truth.objectTypes();
    expect(ws?.object_types).toBe(types.length);
    expect(ws?.objects).toBe(types.reduce((n, t) => n + sim.truth.objects(t.id).length, 0));
  });
});

describe('GET /v1/exports', () => {
  test('equal to the truth; the newest is pending until the clock passes its end', async () => {
    const s = await start();
    try {
      const res = await call<{ exports: ExportRecord[] | null }>(s, '/v1/exports');
      const truth = s.truth.exports();
      expect(truth.length).toBeGreaterThan(0);
      expect(res.json.exports).toEqual(truth);
      const newest = truth[truth.length - 1];
      expect(newest).toMatchObject({ status: 'pending', total: 0, failed: false });
      expect((await call(s, `/v1/exports/${newest?.id}`)).json).toEqual({ export: newest });
      expect((await call(s, '/v1/exports/101')).status).toBe(404);
      s.advance(3600);
      const done = s.truth.exports().find((e) => e.id === newest?.id);
      expect(done?.status).toBe('done');
      expect(done?.total).toBeGreaterThan(0);
      expect(done?.updated_at).toBeGreaterThan(newest?.updated_at ?? 0);
      expect(done?.deduplicate_id).toBe(`${done?.id}:${done?.updated_at}`);
    } finally {
      await s.close();
    }
  });

  test('a workspace without exports answers {"exports": null}', async () => {
    let seed = 1;
    while (new Exports(seed, 3, NOW).count !== 0) seed++;
    const s = await start({ seed });
    try {
      expect((await call(s, '/v1/exports')).text).toBe('{"exports":null}');
      expect(s.truth.exports()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('determinism of the new families', () => {
  const PATHS = [
    '/v1/broadcasts',
    '/v1/broadcasts/4/actions',
    '/v1/broadcasts/6/triggers',
    '/v1/transactional',
    '/v1/newsletters/1000/contents',
    '/v1/segments/4/used_by',
    '/v1/sender_identities?hidden=true',
    '/v1/snippets',
    '/v1/collections',
    '/v1/reporting_webhooks',
    '/v1/object_types',
    '/v1/subscription_topics',
    '/v1/subscription_channels',
    '/v1/exports',
    '/v1/esp/suppression/bounces?limit=5',
    '/v1/objects/1/co1003/attributes',
  ];
  async function bodies(seed: number): Promise<string[]> {
    const s = await start({ seed });
    try {
      const out: string[] = [];
      for (const p of PATHS) out.push((await call(s, p)).text);
      const body = { object_type_id: '1', filter: { object_attribute: { field: 'object_id', operator: 'exists', type_id: '1' } } };
      out.push((await call(s, '/v1/objects?limit=5&start=NQ==', { body })).text);
      return out;
    } finally {
      await s.close();
    }
  }

  test('same seed → byte-identical bodies; another seed → other data', async () => {
    const a = await bodies(7);
    expect(await bodies(7)).toEqual(a);
    const c = await bodies(8);
    expect(c[0]).not.toEqual(a[0]);
    expect(c[15]).not.toEqual(a[15]);
  });
});
