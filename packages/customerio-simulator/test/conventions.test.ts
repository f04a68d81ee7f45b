import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ExportRecord, MessageRecord, NewsletterRecord, SenderIdentityRecord, Simulator } from '../src/index.js';
import { AUTH, call, DAY, list, NOW, start, walk } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

describe('cross-cutting conventions (§4)', () => {
  test('deduplicate_id is "<id>:<last change>" on campaigns, actions, newsletters, segments, variants, deliveries, exports, senders', async () => {
    const deleted = sim.truth.deletedParents();
    for (const c of sim.truth.campaigns()) {
      expect(c.deduplicate_id).toBe(`${c.id}:${c.updated}`);
      for (const a of sim.truth.campaignActions(c.id)) expect(a.deduplicate_id).toBe(`${a.id}:${a.updated}`);
    }
    for (const n of sim.truth.newsletters()) {
      expect(n.deduplicate_id).toBe(`${n.id}:${n.updated}`);
      if (!deleted.newsletters.includes(n.id)) for (const v of sim.truth.newsletterContents(n.id)) expect(v.deduplicate_id).toBe(`${v.id}:${v.updated}`);
    }
    for (const s of sim.truth.segments()) expect(s.deduplicate_id).toBe(`${s.id}:${s.updated_at}`);
    for (const m of sim.truth.messages(NOW - 3 * DAY, NOW)) {
      const last = Math.max(m.created, ...Object.values(m.metrics));
      expect(m.deduplicate_id).toBe(`${m.id}:${last}`);
    }
    const exports = (await call<{ exports: ExportRecord[] }>(sim, '/v1/exports')).json.exports;
    for (const e of exports) expect(e.deduplicate_id).toBe(`${e.id}:${e.updated_at}`);
    const senders = (await call<{ sender_identities: SenderIdentityRecord[] }>(sim, '/v1/sender_identities?limit=100')).json.sender_identities;
    for (const s of senders) expect(s.deduplicate_id).toMatch(new RegExp(`^${s.id}:[0-9]{10}$`));
  });

  test('timestamps are unix seconds; customer attribute values are strings even when numeric', async () => {
    const [m] = sim.truth.messages(NOW - DAY, NOW);
    expect(Number.isInteger(m?.created)).toBe(true);
    expect(String(m?.created)).toMatch(/^[0-9]{10}$/);
    const [cio] = sim.truth.peopleCioIds();
    const served = sim.truth.customer(cio ?? '');
    const c = served !== undefined && 'customer' in served ? served.customer : served;
    expect(c?.attributes.created_at).toMatch(/^[0-9]{10}$/);
    expect(typeof c?.timestamps.created_at).toBe('number');
  });

  test('deliveries of people without a customer id carry customer_id: null (§7.5), identified by cio_id', async () => {
    const w = await walk<MessageRecord>(sim, `/v1/messages?limit=1000&start_ts=${NOW - 60 * DAY}&end_ts=${NOW}`, list('messages'));
    const anonymous = w.records.filter((m) => m.customer_id === null);
    expect(anonymous.length).toBeGreaterThan(0);
    for (const m of anonymous) {
      expect(m.customer_identifiers.id).toBeNull();
      expect(m.customer_identifiers.cio_id).toMatch(/^[0-9a-f]{8}$/);
    }
  });

  test('cio_id references accept the cio_ prefix (§4 person identity)', async () => {
    const [cio] = sim.truth.peopleCioIds();
    const plain = await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: [cio] } });
    const prefixed = await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: [`cio_${cio}`] } });
    expect(prefixed.text).toBe(plain.text);
    expect((plain.json.customers as unknown[]).length).toBe(1);
  });

  test('campaigns: one trigger variant per type, each with its own fields (§5.1 oneOf of 7)', () => {
    const s = sim;
    const fields: Record<string, string[]> = {
      event: ['event_name'],
      date: ['date_attribute', 'frequency', 'start_hour', 'start_minutes', 'timezone', 'use_customer_timezone'],
      webhook: ['webhook_id'],
      relationship: ['audience', 'object_type_id', 'filter_object_attributes', 'filter_relationship_attributes'],
      object: ['audience', 'object_type_id', 'filter_object_attributes', 'filter_relationship_attributes'],
    };
    const all = Object.values(fields).flat();
    const types = new Set<string>();
    for (const c of s.truth.campaigns()) {
      types.add(c.type);
      for (const key of all) expect(key in c, `${c.type} ${key}`).toBe((fields[c.type] ?? []).includes(key));
      expect(['running', 'draft', 'stopped']).toContain(c.state);
    }
    expect(types.size).toBeGreaterThan(2);
  });

  test('single records: GET /v1/newsletters/{id} is the listed newsletter', async () => {
    const n = sim.truth.newsletters().find((x) => !sim.truth.deletedParents().newsletters.includes(x.id));
    expect((await call<{ newsletter: NewsletterRecord }>(sim, `/v1/newsletters/${n?.id}`)).json).toEqual({ newsletter: n });
    expect((await call(sim, '/v1/newsletters/1001')).status).toBe(404);
  });

  test('unpaged lists carry no next; cursor lists end with next ""', async () => {
    for (const path of ['/v1/campaigns', '/v1/segments', '/v1/broadcasts', '/v1/transactional', '/v1/snippets', '/v1/exports', '/v1/workspaces']) {
      expect(Object.keys((await call(sim, path)).json), path).not.toContain('next');
    }
    const last = await call(sim, '/v1/newsletters?limit=1000');
    expect(last.json.next).toBe('');
    const feed = await walk(sim, '/v1/activities?limit=100', list('activities'));
    expect(feed.pages).toBeGreaterThan(1);
  });

  test("unknown query parameters are ignored: start_t/end_t (a generator's names) leave the default window", async () => {
    const defaults = await call(sim, '/v1/messages?limit=5');
    const misnamed = await call(sim, `/v1/messages?limit=5&start_t=${NOW - 400 * DAY}&end_t=${NOW - 300 * DAY}`);
    expect(misnamed.status).toBe(200);
    expect(misnamed.text).toBe(defaults.text);
  });

  // Activity filters are applied: activity-filters.test.ts.
  test('message filters are accepted and not applied (the simulator serves the unfiltered list)', async () => {
    const plain = await call(sim, '/v1/messages?limit=20');
    for (const q of ['type=push', 'metric=clicked', 'campaign_id=5', 'newsletter_id=1000', 'action_id=501', 'drafts=true', 'get_tracked_responses=true']) {
      expect((await call(sim, `/v1/messages?limit=20&${q}`)).text, q).toBe(plain.text);
    }
  });

  test('endpoints the simulator does not serve answer 404 (see FIDELITY.md "not played")', async () => {
    const [cio] = sim.truth.peopleCioIds();
    const paths = [
      '/v1/campaigns/5/messages',
      '/v1/campaigns/5/actions/501/language/de',
      '/v1/campaigns/4/triggers/41/errors',
      '/v1/campaigns/4/triggers/41',
      '/v1/messages/AAAAAAAAAAAAAAAAAAAAAAAAAAA=/archived_message',
      `/v1/customers/${cio}/attributes`,
      `/v1/customers/${cio}/activities`,
      `/v1/customers/${cio}/messages`,
      `/v1/customers/${cio}/segments`,
      `/v1/customers/${cio}/optouts`,
      `/v1/customers/${cio}/subscription_preferences`,
      '/v1/customers?email=a%40example.com',
      '/v1/newsletters/1000/messages',
      '/v1/newsletters/1000/contents/1',
      '/v1/newsletters/1000/language/de',
      '/v1/broadcasts/4/messages',
      '/v1/broadcasts/4/actions/401/language/de',
      '/v1/transactional/1/contents',
      '/v1/transactional/1/messages',
      '/v1/transactional/1/language/de',
      '/v1/exports/100/download',
      '/v1/sender_identities/1',
      '/v1/sender_identities/1/used_by',
      '/v1/collections/1',
      '/v1/collections/1/content',
      '/v1/reporting_webhooks/1',
      '/v1/esp/domains/example.com/suppression/bounces',
      '/v1/esp/search_suppression/a%40b.c',
      '/v1/optouts',
      '/v1/info/ip_addresses',
      '/v1/imports/1',
      '/v1/assets',
      '/v1/design_studio/emails',
    ];
    for (const path of paths) expect((await call(sim, path)).status, path).toBe(404);
    // POST /v1/exports/customers is served (exports-jobs.test.ts); the deliveries export is not.
    for (const path of ['/v1/exports/deliveries', '/v1/send/email', '/v1/campaigns/4/triggers']) {
      expect((await call(sim, path, { body: {} })).status, path).toBe(404);
    }
  });
});

describe('rate limit is one budget for the whole account (§3)', () => {
  test('a burst spread over different endpoints is limited as one; no X-RateLimit headers', async () => {
    const s = await start({ rateLimit: 10 });
    try {
      const paths = ['/v1/campaigns', '/v1/segments', '/v1/workspaces', '/v1/broadcasts', '/v1/snippets'];
      const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => fetch(s.url + (paths[i % paths.length] ?? ''), { headers: AUTH })));
      expect(answers.filter((r) => r.status === 200)).toHaveLength(10);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(5);
      for (const r of answers) {
        for (const name of r.headers.keys()) expect(name).not.toMatch(/ratelimit/i);
        await r.arrayBuffer();
      }
    } finally {
      await s.close();
    }
  });
});
