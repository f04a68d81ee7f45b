import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MessageRecord, Simulator } from '../src/index.js';
import { call, DAY, expectNoDuplicates, list, NOW, routeError, SMALL_MESSAGES, start, walk } from './helpers.js';

const SIX_MONTHS = 183 * DAY;

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

type Page = { messages: MessageRecord[] | null; next: string };

describe('GET /v1/messages', () => {
  test('walking every message window by window gives each message exactly once, newest first', async () => {
    const span = sim.truth.messageSpan();
    // 18 months at the small scale's yearly rate: three 6-month windows are needed.
    expect(span.count).toBe(SMALL_MESSAGES);
    expect(span.oldest).toBeLessThan(NOW - 2 * SIX_MONTHS);
    const seen: string[] = [];
    let emptyWithNext = 0;
    // Contiguous, non-overlapping windows of at most 183 days, oldest window first.
    for (let a = span.oldest; a <= NOW; a += SIX_MONTHS + 1) {
      const b = Math.min(a + SIX_MONTHS, NOW);
      const w = await walk<MessageRecord>(sim, `/v1/messages?limit=200&start_ts=${a}&end_ts=${b}`, list('messages'));
      const created = w.records.map((m) => m.created);
      expect(created).toEqual([...created].sort((x, y) => y - x));
      for (const c of created) expect(c >= a && c <= b).toBe(true);
      expect(w.records.map((m) => m.id)).toEqual(sim.truth.messageIds(a, b));
      seen.push(...w.records.map((m) => m.id));
      emptyWithNext += w.emptyPagesWithNext;
    }
    expectNoDuplicates(seen);
    expect(seen).toHaveLength(SMALL_MESSAGES);
    // The live quirk: an empty page that still carries a next.
    expect(emptyWithNext).toBeGreaterThan(0);
  });

  test('records equal the truth and have the documented shape', async () => {
    const a = NOW - 20 * DAY;
    const w = await walk<MessageRecord>(sim, `/v1/messages?limit=1000&start_ts=${a}&end_ts=${NOW}`, list('messages'));
    expect(w.records).toEqual(sim.truth.messages(a, NOW));
    const m = w.records[0];
    expect(Object.keys(m ?? {})).toEqual([
      'id',
      'deduplicate_id',
      'msg_template_id',
      'action_id',
      'parent_action_id',
      'customer_id',
      'customer_identifiers',
      'recipient',
      'subject',
      'metrics',
      'created',
      'failure_message',
      'newsletter_id',
      'content_id',
      'campaign_id',
      'broadcast_id',
      'trigger_event_id',
      'transactional_message_id',
      'type',
      'forgotten',
    ]);
    expect(m?.id).toMatch(/^[A-Za-z0-9_-]{27}=$/);
    for (const msg of w.records) for (const t of Object.values(msg.metrics)) expect(t).toBeLessThanOrEqual(NOW);
  });

  test('start_ts and end_ts are both inclusive; equal bounds are fine', async () => {
    const [m] = sim.truth.messages(NOW - 2 * DAY, NOW - DAY);
    const c = m?.created ?? 0;
    const res = await call<Page>(sim, `/v1/messages?start_ts=${c}&end_ts=${c}`);
    expect(res.status).toBe(200);
    expect(res.json.messages?.map((x) => x.id) ?? []).toEqual([m?.id]);
  });

  test('window rules: default, one-sided, too long (400), reversed (400), ancient (200, null)', async () => {
    const ids = async (q: string): Promise<string[]> => {
      const w = await walk<MessageRecord>(sim, `/v1/messages?limit=1000${q}`, list('messages'));
      return w.records.map((m) => m.id);
    };
    expect(await ids('')).toEqual(sim.truth.messageIds(NOW - SIX_MONTHS, NOW));
    const end = NOW - 100 * DAY;
    expect(await ids(`&end_ts=${end}`)).toEqual(sim.truth.messageIds(end - SIX_MONTHS, end));
    const startTs = NOW - 40 * DAY;
    expect(await ids(`&start_ts=${startTs}`)).toEqual(sim.truth.messageIds(startTs, NOW));

    const tooLong = await call(sim, `/v1/messages?start_ts=${NOW - SIX_MONTHS - 1}&end_ts=${NOW}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.json).toEqual(routeError('/v1/messages', 400, expect.stringMatching(/6 months/)));
    expect((await call(sim, `/v1/messages?start_ts=${NOW - SIX_MONTHS}&end_ts=${NOW}`)).status).toBe(200);
    expect((await call(sim, `/v1/messages?start_ts=${NOW - 200 * DAY}`)).status).toBe(400);
    expect((await call(sim, `/v1/messages?start_ts=${NOW}&end_ts=${NOW - 1}`)).status).toBe(400);
    expect((await call(sim, '/v1/messages?start_ts=yesterday')).status).toBe(400);

    const ancient = await call(sim, '/v1/messages?start_ts=0&end_ts=2591999');
    expect(ancient.status).toBe(200);
    expect(ancient.text).toBe('{"messages":null,"next":""}');
  });

  test('limit: default 50, above 1000 clamped to 1000, 0 or junk is 400', async () => {
    const window = `/v1/messages?start_ts=${NOW - SIX_MONTHS}&end_ts=${NOW}`;
    // The first page may be an empty quirk page: follow next to the first page with records.
    const firstRecords = async (q: string): Promise<number> => {
      let url = window + q;
      for (let i = 0; i < 3; i++) {
        const page = await call<Page>(sim, url);
        if (page.json.messages !== null) return page.json.messages.length;
        url = `${window}${q}&start=${encodeURIComponent(page.json.next)}`;
      }
      throw new Error('three empty pages in a row');
    };
    expect(sim.truth.messageCount(NOW - SIX_MONTHS, NOW)).toBeGreaterThan(1000);
    expect(await firstRecords('')).toBe(50);
    expect(await firstRecords('&limit=5000')).toBe(1000);
    expect((await call(sim, '/v1/messages?limit=0')).status).toBe(400);
    expect((await call(sim, '/v1/messages?limit=lots')).status).toBe(400);
  });

  test('an empty page with a next leads on to records, and its token is new', async () => {
    // Find an empty-with-next page by walking small pages of a recent window.
    const a = NOW - 60 * DAY;
    let startToken: string | undefined;
    for (let i = 0; i < 200; i++) {
      const q = `/v1/messages?limit=5&start_ts=${a}&end_ts=${NOW}${startToken ? `&start=${encodeURIComponent(startToken)}` : ''}`;
      const page = await call<Page>(sim, q);
      if (page.json.messages === null && page.json.next !== '') {
        expect(page.json.next).not.toBe(startToken);
        const after = await call<Page>(sim, `/v1/messages?limit=5&start_ts=${a}&end_ts=${NOW}&start=${encodeURIComponent(page.json.next)}`);
        expect(after.json.messages?.length).toBeGreaterThan(0);
        return;
      }
      startToken = page.json.next;
      expect(startToken).not.toBe('');
    }
    throw new Error('no empty page with next found');
  });

  test('GET /v1/messages/{id}', async () => {
    const [m] = sim.truth.messages(NOW - DAY, NOW);
    expect((await call(sim, `/v1/messages/${m?.id}`)).json).toEqual({ message: m });
    expect((await call(sim, '/v1/messages/not-a-delivery')).status).toBe(404);
  });
});
