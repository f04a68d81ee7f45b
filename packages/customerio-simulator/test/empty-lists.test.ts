import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SUPPRESSION_TYPES, type Simulator } from '../src/index.js';
import { call, DAY, NOW, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

describe('null for empty lists (§4, §7.5), reachable at small scale with the default seed', () => {
  test('child lists: campaign actions, broadcast actions and triggers, test groups, membership, suppressions', async () => {
    const empty = async (path: string): Promise<string> => (await call(sim, path)).text;
    const campaign = sim.truth.campaigns().find((c) => c.actions === null);
    expect(await empty(`/v1/campaigns/${campaign?.id}/actions`)).toBe('{"actions":null,"next":""}');
    const deleted = sim.truth.deletedParents();
    const broadcasts = sim.truth.broadcasts().filter((b) => !deleted.broadcasts.includes(b.id));
    const silent = broadcasts.find((b) => b.actions === null);
    expect(await empty(`/v1/broadcasts/${silent?.id}/actions`)).toBe('{"actions":null}');
    const untriggered = broadcasts.find((b) => sim.truth.broadcastTriggers(b.id).length === 0);
    expect(await empty(`/v1/broadcasts/${untriggered?.id}/triggers`)).toBe('{"triggers":null}');
    const single = sim.truth.newsletters().find((n) => !deleted.newsletters.includes(n.id) && sim.truth.newsletterTestGroups(n.id).length === 0);
    expect(await empty(`/v1/newsletters/${single?.id}/test_groups`)).toBe('{"test_groups":null}');
    const segment = sim.truth.segments().find((s) => !deleted.segments.includes(s.id) && sim.truth.segmentMembers(s.id).length === 0);
    expect(await empty(`/v1/segments/${segment?.id}/membership`)).toBe('{"identifiers":null,"ids":null,"next":""}');
    const none = SUPPRESSION_TYPES.find((t) => sim.truth.suppressions(t).length === 0);
    expect(await empty(`/v1/esp/suppression/${none}`)).toBe('{"suppressions":null}');
    expect(await empty(`/v1/messages?start_ts=0&end_ts=${DAY}`)).toBe('{"messages":null,"next":""}');
    expect((await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: ['ffffffff'] } })).text).toBe('{"customers":null}');
  });

  test('list-valued fields: tags, segment ids, actions, devices and used_by lists are null, never []', async () => {
    const nullOrFull = (v: unknown): boolean => v === null || (Array.isArray(v) && v.length > 0);
    const campaigns = sim.truth.campaigns();
    for (const c of campaigns) {
      for (const key of ['tags', 'actions', 'trigger_segment_ids', 'filter_segment_ids', 'msg_templates'] as const) expect(nullOrFull(c[key]), key).toBe(true);
    }
    expect(campaigns.some((c) => c.tags === null)).toBe(true);
    for (const n of sim.truth.newsletters()) for (const v of [n.tags, n.recipient_segment_ids]) expect(nullOrFull(v)).toBe(true);
    expect(sim.truth.newsletters().some((n) => n.tags === null)).toBe(true);
    for (const s of sim.truth.segments()) expect(nullOrFull(s.tags)).toBe(true);
    expect(sim.truth.segments().some((s) => s.tags === null)).toBe(true);
    for (const b of sim.truth.broadcasts()) for (const v of [b.tags, b.actions, b.msg_template_ids]) expect(nullOrFull(v)).toBe(true);
    expect(sim.truth.broadcasts().some((b) => b.actions === null)).toBe(true);
    const people = [...sim.truth.peopleCioIds()].slice(0, 50).map((id) => sim.truth.customer(id));
    const devices = people.map((c) => (c !== undefined && 'customer' in c ? c.customer : c)?.devices);
    for (const d of devices) expect(nullOrFull(d)).toBe(true);
    expect(devices.some((d) => d === null)).toBe(true);
    const usage = sim.truth
      .segments()
      .map((s) => sim.truth.segmentUsage(s.id))
      .filter((u) => u !== undefined);
    expect(usage.some((u) => u.campaigns === null || u.draft_newsletters === null || u.sent_newsletters === null)).toBe(true);
  });

  test('an empty workspace (sizes 0) answers {"<key>": null} on every list endpoint', async () => {
    const zero = {
      campaigns: 0,
      newsletters: 0,
      segments: 0,
      broadcasts: 0,
      transactional: 0,
      senderIdentities: 0,
      snippets: 0,
      collections: 0,
      reportingWebhooks: 0,
      objectTypes: 0,
      topics: 0,
      channels: 0,
      maxExports: 0,
      suppressionsPerType: 0,
      futureActivities: 0,
    };
    const s = await start({ sizes: zero });
    try {
      const expected: Record<string, string> = {
        '/v1/campaigns': '{"campaigns":null}',
        '/v1/newsletters': '{"newsletters":null,"next":""}',
        '/v1/segments': '{"segments":null}',
        '/v1/broadcasts': '{"broadcasts":null}',
        '/v1/transactional': '{"messages":null}',
        '/v1/sender_identities': '{"sender_identities":null,"next":""}',
        '/v1/sender_identities?hidden=true': '{"sender_identities":null,"next":""}',
        '/v1/snippets': '{"snippets":null}',
        '/v1/collections': '{"collections":null}',
        '/v1/reporting_webhooks': '{"reporting_webhooks":null}',
        '/v1/object_types': '{"types":null}',
        '/v1/subscription_topics': '{"topics":null}',
        '/v1/subscription_channels': '{"channels":null}',
        '/v1/exports': '{"exports":null}',
      };
      for (const type of SUPPRESSION_TYPES) expected[`/v1/esp/suppression/${type}`] = '{"suppressions":null}';
      for (const [path, body] of Object.entries(expected)) {
        const res = await call(s, path);
        expect(res.status, path).toBe(200);
        expect(res.text, path).toBe(body);
      }
      // Deliveries still flow, from sources that exist: none name a campaign, newsletter or template.
      const recent = s.truth.messages(NOW - 30 * DAY, NOW);
      expect(recent.length).toBeGreaterThan(0);
      for (const m of recent) expect([m.campaign_id, m.newsletter_id, m.transactional_message_id]).toEqual([null, null, null]);
      expect(s.truth.deletedParents()).toEqual({ campaigns: [], segments: [], newsletters: [], broadcasts: [] });
    } finally {
      await s.close();
    }
  });

  test('sizes are validated: unknown keys, negatives, and no people or rates are rejected', async () => {
    await expect(start({ sizes: { campaigns: -1 } })).rejects.toThrow(/campaigns/);
    await expect(start({ sizes: { people: 0 } })).rejects.toThrow(/people/);
    await expect(start({ sizes: { messagesPerYear: 0 } })).rejects.toThrow(/messagesPerYear/);
    await expect(start({ sizes: { wombats: 3 } as never })).rejects.toThrow(/wombats/);
  });
});
