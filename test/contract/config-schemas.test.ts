import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SUPPRESSION_TYPES, type Simulator } from 'customerio-simulator';
import { call, start, walk, recordAjv, recordChecker } from './helpers.js';

// The schemas themselves (keys and cursors from the stream definitions) are checked for every
// stream in schemas.test.ts; here the records of the broadcast, transactional, newsletter-variant,
// object and config families are validated against them.
type Row = Record<string, unknown>;

const ajv = recordAjv();

describe("every record the added endpoints serve at small scale validates (with the tap's additions)", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());

  const check = recordChecker(ajv);
  const get = async (path: string, key: string): Promise<Row[]> => ((await call<Row>(sim, path)).json[key] as Row[] | null) ?? [];

  test('newsletters, broadcasts, transactional, segments', async () => {
    const variants: Row[] = [];
    const groups: Row[] = [];
    const deleted = sim.truth.deletedParents();
    for (const n of sim.truth.newsletters().filter((x) => !deleted.newsletters.includes(x.id))) {
      variants.push(...(await get(`/v1/newsletters/${n.id}/contents`, 'contents')));
      groups.push(...(await get(`/v1/newsletters/${n.id}/test_groups`, 'test_groups')).map((g) => ({ ...g, newsletter_id: n.id })));
    }
    check('newsletter_variants', variants);
    check('newsletter_test_groups', groups);

    const broadcasts = await get('/v1/broadcasts', 'broadcasts');
    check('broadcasts', broadcasts);
    const actions: Row[] = [];
    const triggers: Row[] = [];
    for (const b of broadcasts.filter((x) => !deleted.broadcasts.includes(x.id as number))) {
      let path = `/v1/broadcasts/${String(b.id)}/actions`;
      for (;;) {
        const page = (await call<Row>(sim, path)).json;
        actions.push(...((page.actions as Row[] | null) ?? []));
        if (typeof page.next !== 'string' || page.next === '') break;
        path = `/v1/broadcasts/${String(b.id)}/actions?start=${encodeURIComponent(page.next)}`;
      }
      triggers.push(...(await get(`/v1/broadcasts/${String(b.id)}/triggers`, 'triggers')));
    }
    check('broadcast_actions', actions);
    check('broadcast_triggers', triggers);
    check('transactional_messages', await get('/v1/transactional', 'messages'));

    const usage: Row[] = [];
    for (const s of sim.truth.segments().filter((x) => !deleted.segments.includes(x.id)))
      usage.push((await call<{ used_by: Row }>(sim, `/v1/segments/${s.id}/used_by`)).json.used_by);
    check('segment_usage', usage);
  });

  test('workspace configuration, objects and suppressions', async () => {
    const senders: Row[] = [];
    for (const hidden of [false, true]) {
      senders.push(...(await walk<Row>(sim, `/v1/sender_identities?hidden=${hidden}&limit=100`, (p) => p.sender_identities as Row[] | null)).records);
    }
    expect(senders).toHaveLength(6);
    check('sender_identities', senders);
    check('subscription_topics', await get('/v1/subscription_topics', 'topics'));
    check('subscription_channels', await get('/v1/subscription_channels', 'channels'));
    check('workspaces', await get('/v1/workspaces', 'workspaces'));
    check('reporting_webhooks', await get('/v1/reporting_webhooks', 'reporting_webhooks'));
    check('snippets', await get('/v1/snippets', 'snippets'));
    check('collections', await get('/v1/collections', 'collections'));
    check('exports', await get('/v1/exports', 'exports'));

    const types = await get('/v1/object_types', 'types');
    check('object_types', types);
    const objects: Row[] = [];
    for (const t of types) {
      for (const o of sim.truth.objects(String(t.id))) {
        const res = await call<{ object: Row & { identifiers: Row } }>(sim, `/v1/objects/${String(t.id)}/${o.identifiers.object_id}/attributes`);
        const object = res.json.object;
        // The tap's row: the hydrated object plus identifiers copied to the top level, and the changed_at the change-feed reader stamps.
        objects.push({ ...object, object_id: object.identifiers.object_id, cio_object_id: object.identifiers.cio_object_id, changed_at: sim.now() });
      }
    }
    check('objects', objects);

    const suppressions: Row[] = [];
    for (const type of SUPPRESSION_TYPES) {
      const page = await get(`/v1/esp/suppression/${type}?limit=1000`, 'suppressions');
      suppressions.push(...page.map((s) => ({ suppression_type: type, ...s })));
    }
    check('esp_suppressions', suppressions);
  });
});
