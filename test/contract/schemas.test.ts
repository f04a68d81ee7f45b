import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  ActionRecord,
  ActivityRecord,
  CampaignRecord,
  CustomerRecord,
  IdentifiersEntry,
  MessageRecord,
  NewsletterRecord,
  SegmentRecord,
  ServedCustomer,
  Simulator,
} from 'customerio-simulator';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { call, DAY, list, NOW, SMALL_MESSAGES, start, walk, expectWellFormedSchema, readSchema, recordAjv, recordChecker } from './helpers.js';

const ajv = recordAjv();

/** The fields a stream's definition names: its primary key, then its cursor. */
function declaredFields(def: (typeof ALL_STREAMS)[number]): string[] {
  return [...def.primaryKey.map((path) => path.join('.')), ...(def.cursor ? [def.cursor.field] : [])];
}

describe('stream schemas', () => {
  test.each(ALL_STREAMS.map((def) => [def.name, def] as const))(
    '%s: object root, key and cursor declared, non-null and required, intersection-safe keywords',
    (name, def) => {
      expectWellFormedSchema(name, readSchema(name), declaredFields(def), ajv);
    },
  );
});

describe('every record served at small scale validates against its schema', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());

  const check = recordChecker(ajv);

  test('campaigns, actions, newsletters, segments, memberships', async () => {
    const campaigns = (await call<{ campaigns: CampaignRecord[] }>(sim, '/v1/campaigns')).json.campaigns;
    check('campaigns', campaigns);
    const actions: ActionRecord[] = [];
    const deleted = sim.truth.deletedParents();
    for (const c of campaigns.filter((x) => !deleted.campaigns.includes(x.id)))
      actions.push(...(await walk<ActionRecord>(sim, `/v1/campaigns/${c.id}/actions`, list('actions'))).records);
    check('campaigns_actions', actions);
    check('newsletters', (await walk<NewsletterRecord>(sim, '/v1/newsletters?limit=100', list('newsletters'))).records);
    const segments = (await call<{ segments: SegmentRecord[] }>(sim, '/v1/segments')).json.segments;
    check('segments', segments);
    const rows = [];
    for (const s of segments.filter((x) => !deleted.segments.includes(x.id))) {
      const w = await walk<IdentifiersEntry>(sim, `/v1/segments/${s.id}/membership?limit=30000`, (p) => p.identifiers as IdentifiersEntry[] | null);
      // The tap's row: one per identifiers entry, segment id added, absent email as null.
      rows.push(...w.records.map((m) => ({ segment_id: s.id, cio_id: m.cio_id, id: m.id, email: m.email ?? null })));
    }
    check('segment_memberships', rows);
  });

  test('messages (all of them) and activities', async () => {
    const messages: MessageRecord[] = [];
    for (let a = sim.truth.messageSpan().oldest; a <= NOW; a += 183 * DAY + 1) {
      messages.push(
        ...(await walk<MessageRecord>(sim, `/v1/messages?limit=1000&start_ts=${a}&end_ts=${Math.min(NOW, a + 183 * DAY)}`, list('messages'))).records,
      );
    }
    expect(messages).toHaveLength(SMALL_MESSAGES);
    check('messages', messages);
    check('activities', (await walk<ActivityRecord>(sim, '/v1/activities?limit=100', list('activities'))).records);
  });

  test('people: every person hydrated, plus the top-level cio_id and the changed_at the reader stamps', async () => {
    const ids = [...sim.truth.peopleCioIds()];
    const people = [];
    for (let i = 0; i < ids.length; i += 100) {
      const res = await call<{ customers: ServedCustomer[] }>(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: ids.slice(i, i + 100) } });
      // The tap's row: the item unwrapped where it came as {customer: …}, plus the top-level cio_id,
      // and the time its changes were read from (the change-feed reader's cursor).
      const bare = res.json.customers.map((c): CustomerRecord => ('customer' in c ? c.customer : c));
      people.push(...bare.map((c) => ({ ...c, cio_id: c.identifiers.cio_id, changed_at: sim.now() })));
    }
    expect(people).toHaveLength(500);
    check('people', people);
  });
});
