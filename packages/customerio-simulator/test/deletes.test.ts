import { describe, expect, test } from 'vitest';
import type { DeletableKind, DeletedEntity, GroundTruth, Simulator } from '../src/index.js';
import { call, DAY, list, NOW, routeError, start, walk } from './helpers.js';

/**
 * Entities deleted between two syncs (Simulator.deleteEntities, POST /__sim/delete): gone from
 * their lists (every page), 404 under them, children with their parent, and nothing else
 * touched. Every check reads the API over HTTP (the routes run in the worker built in dist/) and
 * compares it with the truth. Victims at seed 1, small scale: campaign 11 (running, 32 actions
 * over 4 pages, used by segments 1 and 6), newsletter 1033 (3 contents in an A/B test, used by
 * segments 1 and 4), broadcast 4 (12 actions over two pages, 3 triggers), segment 6 (members,
 * used by campaigns), none of them a parent deleted mid-sync (17, 7, 1051, 8).
 */

type Row = Record<string, unknown>;
/** List path → each record as JSON text, or 'gone' where the path answers 404. */
type Snapshot = Map<string, string[] | 'gone'>;

const NEWSLETTER_PAGE = 7;
const text = (records: readonly unknown[] | null | undefined): string[] => (records ?? []).map((r) => JSON.stringify(r));

/** Expects a 404 with the errors envelope (status string or number, by path). */
async function expectGone(sim: Simulator, path: string): Promise<void> {
  const res = await call(sim, path);
  expect(res.status, path).toBe(404);
  expect(res.json, path).toEqual(routeError(path, 404));
}

/** A child list over HTTP, or 'gone' on a 404. Paged lists are walked with the page size checked. */
async function child(sim: Simulator, path: string, read: (sim: Simulator, path: string) => Promise<unknown[]>): Promise<string[] | 'gone'> {
  const probe = await call(sim, path);
  if (probe.status === 404) return 'gone';
  expect(probe.status, path).toBe(200);
  return text(await read(sim, path));
}

const unpaged =
  (key: string) =>
  async (sim: Simulator, path: string): Promise<unknown[]> =>
    (await call<Row>(sim, path)).json[key] as unknown[];

/** Campaign actions: fixed pages of 10, every page full but the last (also after a delete). */
async function campaignActions(sim: Simulator, path: string): Promise<unknown[]> {
  const w = await walk(sim, path, list<Row>('actions'));
  expect(w.pages, path).toBe(Math.max(1, Math.ceil(w.records.length / 10)));
  return w.records;
}

/** Broadcast actions: one call, or a first page of 6 with a `next` and the rest. */
async function broadcastActions(sim: Simulator, path: string): Promise<unknown[]> {
  const first = await call<{ actions: Row[] | null; next?: string }>(sim, path);
  const records: unknown[] = [...(first.json.actions ?? [])];
  if (first.json.next !== undefined && first.json.next !== '') {
    expect(records).toHaveLength(6);
    const rest = await call<{ actions: Row[] | null; next?: string }>(sim, `${path}?start=${encodeURIComponent(first.json.next)}`);
    expect(rest.json.next).toBe('');
    expect(rest.json.actions?.length ?? 0).toBeGreaterThan(0);
    records.push(...(rest.json.actions ?? []));
  }
  return records;
}

/** Every list the API serves that a delete can touch, read over HTTP. */
async function served(sim: Simulator): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  const campaigns = (await call<{ campaigns: Row[] }>(sim, '/v1/campaigns')).json.campaigns ?? [];
  snap.set('/v1/campaigns', text(campaigns));
  for (const c of campaigns) snap.set(`/v1/campaigns/${c.id}/actions`, await child(sim, `/v1/campaigns/${c.id}/actions`, campaignActions));
  // Pages of 7 over 30 newsletters: every page full but the last, before and after a delete.
  const newsletters = await walk(sim, `/v1/newsletters?limit=${NEWSLETTER_PAGE}`, list<Row>('newsletters'));
  expect(newsletters.pages).toBe(Math.max(1, Math.ceil(newsletters.records.length / NEWSLETTER_PAGE)));
  snap.set('/v1/newsletters', text(newsletters.records));
  for (const n of newsletters.records) {
    snap.set(`/v1/newsletters/${n.id}/contents`, await child(sim, `/v1/newsletters/${n.id}/contents`, unpaged('contents')));
    snap.set(`/v1/newsletters/${n.id}/test_groups`, await child(sim, `/v1/newsletters/${n.id}/test_groups`, unpaged('test_groups')));
  }
  const broadcasts = (await call<{ broadcasts: Row[] }>(sim, '/v1/broadcasts')).json.broadcasts ?? [];
  snap.set('/v1/broadcasts', text(broadcasts));
  for (const b of broadcasts) {
    snap.set(`/v1/broadcasts/${b.id}/actions`, await child(sim, `/v1/broadcasts/${b.id}/actions`, broadcastActions));
    snap.set(`/v1/broadcasts/${b.id}/triggers`, await child(sim, `/v1/broadcasts/${b.id}/triggers`, unpaged('triggers')));
  }
  snap.set('/v1/transactional', text((await call<Row>(sim, '/v1/transactional')).json.messages as unknown[]));
  const segments = ((await call<Row>(sim, '/v1/segments')).json.segments as Row[] | null) ?? [];
  snap.set('/v1/segments', text(segments));
  for (const s of segments) {
    snap.set(`/v1/segments/${s.id}/used_by`, await child(sim, `/v1/segments/${s.id}/used_by`, async (_, p) => [(await call<Row>(sim, p)).json.used_by]));
    snap.set(`/v1/segments/${s.id}/customer_count`, await child(sim, `/v1/segments/${s.id}/customer_count`, async (_, p) => [(await call<Row>(sim, p)).json]));
  }
  snap.set('/v1/snippets', text((await call<Row>(sim, '/v1/snippets')).json.snippets as unknown[]));
  snap.set('/v1/collections', text((await call<Row>(sim, '/v1/collections')).json.collections as unknown[]));
  return snap;
}

/** The same lists from the truth; children of a parent deleted mid-sync answer 404. */
function truthOf(truth: GroundTruth): Snapshot {
  const snap: Snapshot = new Map();
  const midSync = truth.deletedParents();
  const under = <T>(gone: boolean, records: () => T[]): string[] | 'gone' => (gone ? 'gone' : text(records()));
  const campaigns = truth.campaigns();
  snap.set('/v1/campaigns', text(campaigns));
  for (const c of campaigns)
    snap.set(
      `/v1/campaigns/${c.id}/actions`,
      under(midSync.campaigns.includes(c.id), () => truth.campaignActions(c.id)),
    );
  const newsletters = truth.newsletters();
  snap.set('/v1/newsletters', text(newsletters));
  for (const n of newsletters) {
    const gone = midSync.newsletters.includes(n.id);
    snap.set(
      `/v1/newsletters/${n.id}/contents`,
      under(gone, () => truth.newsletterContents(n.id)),
    );
    snap.set(
      `/v1/newsletters/${n.id}/test_groups`,
      under(gone, () => truth.newsletterTestGroups(n.id)),
    );
  }
  const broadcasts = truth.broadcasts();
  snap.set('/v1/broadcasts', text(broadcasts));
  for (const b of broadcasts) {
    const gone = midSync.broadcasts.includes(b.id);
    snap.set(
      `/v1/broadcasts/${b.id}/actions`,
      under(gone, () => truth.broadcastActions(b.id)),
    );
    snap.set(
      `/v1/broadcasts/${b.id}/triggers`,
      under(gone, () => truth.broadcastTriggers(b.id)),
    );
  }
  snap.set('/v1/transactional', text(truth.transactional()));
  const segments = truth.segments();
  snap.set('/v1/segments', text(segments));
  for (const s of segments) {
    const usage = truth.segmentUsage(s.id);
    snap.set(`/v1/segments/${s.id}/used_by`, usage === undefined ? 'gone' : text([usage]));
    const count = { segment_id: s.id, count: truth.segmentMembers(s.id).length };
    snap.set(`/v1/segments/${s.id}/customer_count`, usage === undefined ? 'gone' : text([count]));
  }
  snap.set('/v1/snippets', text(truth.snippets()));
  snap.set('/v1/collections', text(truth.collections()));
  return snap;
}

/** Where a deleted entity was listed, and the child lists it took with it. */
function placeOf(e: DeletedEntity): { list: string; key: string; children: string[] } {
  switch (e.kind) {
    case 'campaign':
      return { list: '/v1/campaigns', key: 'id', children: [`/v1/campaigns/${e.id}/actions`] };
    case 'campaign_action':
      return { list: `/v1/campaigns/${e.parent}/actions`, key: 'id', children: [] };
    case 'newsletter':
      return { list: '/v1/newsletters', key: 'id', children: [`/v1/newsletters/${e.id}/contents`, `/v1/newsletters/${e.id}/test_groups`] };
    case 'newsletter_variant':
      return { list: `/v1/newsletters/${e.parent}/contents`, key: 'id', children: [] };
    case 'broadcast':
      return { list: '/v1/broadcasts', key: 'id', children: [`/v1/broadcasts/${e.id}/actions`, `/v1/broadcasts/${e.id}/triggers`] };
    case 'broadcast_action':
      return { list: `/v1/broadcasts/${e.parent}/actions`, key: 'id', children: [] };
    case 'transactional_message':
      return { list: '/v1/transactional', key: 'id', children: [] };
    case 'segment':
      return { list: '/v1/segments', key: 'id', children: [`/v1/segments/${e.id}/used_by`, `/v1/segments/${e.id}/customer_count`] };
    case 'snippet':
      return { list: '/v1/snippets', key: 'name', children: [] };
    case 'collection':
      return { list: '/v1/collections', key: 'id', children: [] };
  }
}

/**
 * The snapshot before, minus what went: each deleted entity out of its list (so the child lists
 * of a deleted parent are no longer read), a deleted campaign or newsletter out of every
 * segment's `used_by`. Every
 * other record keeps its bytes.
 */
function without(before: Snapshot, deleted: readonly DeletedEntity[]): Snapshot {
  const after: Snapshot = new Map(before);
  const unlisted = new Set<string>();
  for (const e of deleted) {
    const place = placeOf(e);
    // A child that went with its parent: the parent's child lists are no longer read at all.
    if (unlisted.has(place.list)) continue;
    const records = after.get(place.list);
    expect(Array.isArray(records), `${place.list} listed ${e.kind} ${e.id}`).toBe(true);
    const kept = (records as string[]).filter((r) => String((JSON.parse(r) as Row)[place.key]) !== String(e.id));
    expect(kept.length, `${e.kind} ${e.id} was in ${place.list}`).toBe((records as string[]).length - 1);
    after.set(place.list, kept);
    for (const path of place.children) {
      unlisted.add(path);
      after.delete(path);
    }
  }
  const usageKeys: Partial<Record<DeletableKind, string[]>> = { campaign: ['campaigns'], newsletter: ['draft_newsletters', 'sent_newsletters'] };
  for (const [path, records] of after) {
    if (!path.endsWith('/used_by') || records === 'gone') continue;
    const usage = JSON.parse(records[0] as string) as Record<string, number[] | null>;
    for (const e of deleted) {
      for (const key of usageKeys[e.kind] ?? []) {
        const ids = (usage[key] ?? []).filter((id) => id !== e.id);
        usage[key] = ids.length === 0 ? null : ids;
      }
    }
    after.set(path, [JSON.stringify(usage)]);
  }
  return after;
}

/** Paths whose whole answer must not change with the delete: history and other entities' metrics. */
const HISTORY = [
  `/v1/messages?limit=500`,
  `/v1/activities?limit=100`,
  `/v1/campaigns/5/metrics`,
  `/v1/campaigns/13/actions/1301/metrics?version=2&res=days&start=${NOW - 60 * DAY}&end=${NOW}`,
  `/v1/newsletters/1027/metrics`,
  `/v1/broadcasts/6/metrics`,
  `/v1/transactional/1/metrics`,
  `/v1/workspaces`,
];

interface Case {
  kind: DeletableKind;
  /** What to delete, from the snapshot before. */
  victim: (truth: GroundTruth) => DeletedEntity;
  /** Every entity deleteEntities must report for it, cascaded children included. */
  cascade: (truth: GroundTruth) => DeletedEntity[];
  /** Endpoints of the victim and under it, all 404 after. */
  gonePaths: (victim: DeletedEntity) => string[];
  /** Answers that must stay byte for byte (a child's parent, its metrics). */
  unchanged: (victim: DeletedEntity) => string[];
}

const v2 = `?version=2&res=days&start=${NOW - 7 * DAY}&end=${NOW}`;
const actionOf = (truth: GroundTruth, campaign: number, j: number) => truth.campaignActions(campaign)[j]?.id as number | string;
const broadcastActionOf = (truth: GroundTruth, broadcast: number, j: number) => truth.broadcastActions(broadcast)[j]?.id as number | string;

const CASES: Case[] = [
  {
    kind: 'campaign',
    victim: () => ({ kind: 'campaign', id: 11 }),
    cascade: (t) => [{ kind: 'campaign', id: 11 }, ...t.campaignActions(11).map((a) => ({ kind: 'campaign_action' as const, id: a.id, parent: 11 }))],
    gonePaths: () => [
      '/v1/campaigns/11',
      '/v1/campaigns/11/actions',
      '/v1/campaigns/11/actions?start=MTA=',
      '/v1/campaigns/11/actions/1101',
      '/v1/campaigns/11/metrics',
      `/v1/campaigns/11/metrics${v2}`,
      '/v1/campaigns/11/actions/1101/metrics',
      `/v1/campaigns/11/journey_metrics?resolution=days&start=${NOW - 7 * DAY}&end=${NOW}`,
      '/v1/campaigns/11/metrics/links',
      '/v1/campaigns/11/actions/1101/metrics/links',
    ],
    unchanged: () => ['/v1/campaigns/13', '/v1/campaigns/13/actions'],
  },
  {
    kind: 'campaign_action',
    // The third action: on the first of four pages, so every later page shifts by one.
    victim: (t) => ({ kind: 'campaign_action', id: actionOf(t, 11, 2), parent: 11 }),
    cascade: (t) => [{ kind: 'campaign_action', id: actionOf(t, 11, 2), parent: 11 }],
    gonePaths: (v) => [`/v1/campaigns/11/actions/${v.id}`, `/v1/campaigns/11/actions/${v.id}/metrics${v2}`, `/v1/campaigns/11/actions/${v.id}/metrics/links`],
    // The campaign keeps its record (refs and `updated` included) and its metrics: history.
    unchanged: () => ['/v1/campaigns/11', `/v1/campaigns/11/metrics${v2}`, '/v1/campaigns/11/metrics/links', '/v1/campaigns/11/actions/1101'],
  },
  {
    kind: 'newsletter',
    victim: () => ({ kind: 'newsletter', id: 1033 }),
    cascade: () => [{ kind: 'newsletter', id: 1033 }, ...[45, 46, 47].map((id) => ({ kind: 'newsletter_variant' as const, id, parent: 1033 }))],
    gonePaths: () => [
      '/v1/newsletters/1033',
      '/v1/newsletters/1033/contents',
      '/v1/newsletters/1033/test_groups',
      '/v1/newsletters/1033/metrics',
      '/v1/newsletters/1033/contents/45/metrics',
      '/v1/newsletters/1033/metrics/links',
      '/v1/newsletters/1033/contents/45/metrics/links',
    ],
    unchanged: () => ['/v1/newsletters/1030', '/v1/newsletters/1036/contents'],
  },
  {
    kind: 'newsletter_variant',
    victim: () => ({ kind: 'newsletter_variant', id: 46, parent: 1033 }),
    cascade: () => [{ kind: 'newsletter_variant', id: 46, parent: 1033 }],
    gonePaths: () => ['/v1/newsletters/1033/contents/46/metrics', '/v1/newsletters/1033/contents/46/metrics/links'],
    // The newsletter keeps its record (`content_ids` included), its test groups and its metrics.
    unchanged: () => ['/v1/newsletters/1033', '/v1/newsletters/1033/test_groups', '/v1/newsletters/1033/metrics', '/v1/newsletters/1033/contents/45/metrics'],
  },
  {
    kind: 'broadcast',
    victim: () => ({ kind: 'broadcast', id: 4 }),
    cascade: (t) => [{ kind: 'broadcast', id: 4 }, ...t.broadcastActions(4).map((a) => ({ kind: 'broadcast_action' as const, id: a.id, parent: 4 }))],
    gonePaths: () => [
      '/v1/broadcasts/4',
      '/v1/broadcasts/4/actions',
      '/v1/broadcasts/4/actions?start=Ng==',
      '/v1/broadcasts/4/actions/401',
      '/v1/broadcasts/4/triggers',
      '/v1/broadcasts/4/metrics',
      '/v1/broadcasts/4/actions/401/metrics',
      '/v1/broadcasts/4/metrics/links',
      '/v1/broadcasts/4/actions/401/metrics/links',
    ],
    unchanged: () => ['/v1/broadcasts/6', '/v1/broadcasts/6/actions', '/v1/broadcasts/6/triggers'],
  },
  {
    kind: 'broadcast_action',
    // The first of 12 over two pages: 11 remain, still split 6 + 5.
    victim: (t) => ({ kind: 'broadcast_action', id: broadcastActionOf(t, 4, 0), parent: 4 }),
    cascade: (t) => [{ kind: 'broadcast_action', id: broadcastActionOf(t, 4, 0), parent: 4 }],
    gonePaths: (v) => [`/v1/broadcasts/4/actions/${v.id}`, `/v1/broadcasts/4/actions/${v.id}/metrics`, `/v1/broadcasts/4/actions/${v.id}/metrics/links`],
    unchanged: () => ['/v1/broadcasts/4', '/v1/broadcasts/4/metrics', '/v1/broadcasts/4/triggers', '/v1/broadcasts/4/actions/402'],
  },
  {
    kind: 'transactional_message',
    victim: () => ({ kind: 'transactional_message', id: 2 }),
    cascade: () => [{ kind: 'transactional_message', id: 2 }],
    gonePaths: () => ['/v1/transactional/2', '/v1/transactional/2/metrics', '/v1/transactional/2/metrics/links'],
    unchanged: () => ['/v1/transactional/3', '/v1/transactional/3/metrics'],
  },
  {
    kind: 'segment',
    victim: () => ({ kind: 'segment', id: 6 }),
    cascade: () => [{ kind: 'segment', id: 6 }],
    gonePaths: () => ['/v1/segments/6', '/v1/segments/6/membership', '/v1/segments/6/customer_count', '/v1/segments/6/used_by'],
    // The campaigns and newsletters that name it keep their records: only the segment went.
    unchanged: () => ['/v1/segments/4', '/v1/segments/4/membership?limit=1000', '/v1/campaigns/13'],
  },
  {
    kind: 'snippet',
    victim: () => ({ kind: 'snippet', id: 'footer' }),
    cascade: () => [{ kind: 'snippet', id: 'footer' }],
    gonePaths: () => [],
    unchanged: () => ['/v1/collections'],
  },
  {
    kind: 'collection',
    victim: () => ({ kind: 'collection', id: 2 }),
    cascade: () => [{ kind: 'collection', id: 2 }],
    gonePaths: () => [],
    unchanged: () => ['/v1/snippets'],
  },
];

async function bodies(sim: Simulator, paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of paths) {
    const res = await call(sim, path);
    expect(res.status, path).toBe(200);
    out.set(path, res.text);
  }
  return out;
}

describe('entities deleted between syncs', () => {
  test.each(CASES.map((c) => [c.kind, c] as const))(
    '%s: gone from its list (every page) and 404 under it; the truth follows; nothing else changes',
    async (_kind, c) => {
      const sim = await start();
      try {
        const before = await served(sim);
        expect(before).toEqual(truthOf(sim.truth));
        const victim = c.victim(sim.truth);
        const cascade = c.cascade(sim.truth);
        const keep = [...HISTORY, ...c.unchanged(victim)];
        const kept = await bodies(sim, keep);
        for (const path of c.gonePaths(victim)) expect((await call(sim, path)).status, path).toBe(200);

        sim.deleteEntities([victim]);

        // The routes (in the worker) answer without it at once, and so does the truth.
        for (const path of c.gonePaths(victim)) await expectGone(sim, path);
        expect(sim.truth.deletedEntities()).toEqual(cascade);
        const after = await served(sim);
        expect(after).toEqual(without(before, cascade));
        expect(after).toEqual(truthOf(sim.truth));
        expect(await bodies(sim, keep)).toEqual(kept);
      } finally {
        await sim.close();
      }
    },
  );

  test('the truth of a deleted parent: no children, no record, no metrics; a search on a deleted segment finds nobody', async () => {
    const sim = await start();
    try {
      const segment6 = await call(sim, '/v1/customers?limit=1000', { body: { filter: { segment: { id: 6 } } } });
      expect(segment6.json['ids']).not.toBeNull();
      const broadcast4 = (await call<{ actions: Row[] }>(sim, '/v1/broadcasts/4/actions?start=MA==')).json.actions.map((a) => a.id);
      sim.deleteEntities([
        { kind: 'campaign', id: 11 },
        { kind: 'newsletter', id: '1033' },
        { kind: 'broadcast', id: 4 },
        { kind: 'segment', id: 6 },
        { kind: 'transactional_message', id: 2 },
      ]);
      const t = sim.truth;
      expect(t.campaign(11)).toBeUndefined();
      expect(t.campaignActions(11)).toEqual([]);
      expect(t.metricSeriesNames('campaign', [11])).toEqual([]);
      expect(t.metricSeriesNames('journey', [11])).toEqual([]);
      expect(t.metricLinks('campaign', [11])).toEqual([]);
      expect(t.bucketCount('campaign_action', [11, 1101], 'sent', 'days', NOW - DAY)).toBe(0);
      expect(t.newsletterContents(1033)).toEqual([]);
      expect(t.newsletterTestGroups(1033)).toEqual([]);
      expect(t.metricSeriesNames('newsletter_variant', [1033, 45])).toEqual([]);
      expect(t.broadcastActions(4)).toEqual([]);
      expect(t.broadcastTriggers(4)).toEqual([]);
      expect(t.metricSeriesNames('broadcast', [4])).toEqual([]);
      expect(t.segmentMembers(6)).toEqual([]);
      expect(t.segmentUsage(6)).toBeUndefined();
      expect(t.metricSeriesNames('transactional', [2])).toEqual([]);
      // The other entities keep their metrics, and unknown ids still throw.
      expect(t.metricSeriesNames('campaign', [5]).length).toBeGreaterThan(0);
      expect(() => t.campaignActions(999)).toThrow(RangeError);
      const search = await call(sim, '/v1/customers?limit=1000', { body: { filter: { segment: { id: 6 } } } });
      expect(search.json).toEqual({ identifiers: null, ids: null, next: '' });
      const counts = t.counts();
      expect(counts.campaigns).toBe(t.campaigns().length);
      expect(counts.segments).toBe(t.segments().length);
      expect(counts.newsletters).toBe(t.newsletters().length);
      const midSync = t.deletedParents().campaigns;
      expect(counts.actions).toBe(
        t
          .campaigns()
          .filter((c) => !midSync.includes(c.id))
          .reduce((n, c) => n + t.campaignActions(c.id).length, 0),
      );
      // Ids as served: broadcast 4's actions are strings or integers (type drift), parents integers.
      const actions = t.deletedEntities().filter((e) => e.kind === 'broadcast_action');
      expect(actions.map((e) => e.id)).toEqual(broadcast4);
      expect(new Set(broadcast4.map((id) => typeof id))).toEqual(new Set(['string', 'number']));
    } finally {
      await sim.close();
    }
  });

  test('several deletes: a child deleted before its parent is reported once; all pages stay full', async () => {
    const sim = await start();
    try {
      const actions = sim.truth.campaignActions(7).map((a) => a.id);
      // Ten actions of campaign 7 (35, four pages): the whole first page.
      sim.deleteEntities(actions.slice(0, 10).map((id) => ({ kind: 'campaign_action', id, parent: 7 })));
      const page = await walk(sim, '/v1/campaigns/7/actions', list<Row>('actions'));
      expect(page.records.map((a) => a.id)).toEqual(actions.slice(10));
      expect(page.pages).toBe(3);
      // Newsletters on pages 1, 2 and 5 of seven each, each taking its variants along.
      const newsletters = [1000, 1027, 1087];
      const withVariants = newsletters.flatMap((id) => [
        { kind: 'newsletter', id },
        ...sim.truth.newsletterContents(id).map((v) => ({ kind: 'newsletter_variant', id: v.id, parent: id })),
      ]);
      sim.deleteEntities(newsletters.map((id) => ({ kind: 'newsletter', id })));
      const listed = await served(sim);
      expect(listed).toEqual(truthOf(sim.truth));
      const desc = await walk(sim, '/v1/newsletters?limit=4&sort=desc', list<Row>('newsletters'));
      expect(desc.records.map((n) => n.id)).toEqual(
        sim.truth
          .newsletters()
          .map((n) => n.id)
          .reverse(),
      );
      sim.deleteEntities([{ kind: 'campaign', id: 7 }]);
      // In the order deleted: the ten actions, the newsletters each with its variants, then the
      // campaign with the 25 actions it still had.
      const gone = sim.truth.deletedEntities();
      const asAction = (id: number | string) => ({ kind: 'campaign_action', id, parent: 7 });
      expect(gone.slice(0, 10)).toEqual(actions.slice(0, 10).map(asAction));
      const campaignAt = gone.findIndex((e) => e.kind === 'campaign');
      expect(gone.slice(10, campaignAt)).toEqual(withVariants);
      expect(gone.slice(campaignAt)).toEqual([{ kind: 'campaign', id: 7 }, ...actions.slice(10).map(asAction)]);
      expect(new Set(gone.map((e) => `${e.kind}:${e.id}`)).size).toBe(gone.length);
    } finally {
      await sim.close();
    }
  });

  test('deleting twice, an unknown kind or id, or a child of a gone parent throws and changes nothing', async () => {
    const sim = await start();
    try {
      const before = await served(sim);
      const bad: Array<[unknown, RegExp]> = [
        [[{ kind: 'campaign', id: 999 }], /no campaign 999/],
        [[{ kind: 'campaign', id: 4 }], /no campaign 4/],
        [[{ kind: 'workflow', id: 5 }], /unknown kind "workflow"/],
        [[{ kind: 'campaign', id: 'five' }], /no campaign five/],
        [[{ kind: 'campaign', id: 5, parent: 1 }], /has no parent/],
        [[{ kind: 'campaign_action', id: 501 }], /needs parent/],
        [[{ kind: 'campaign_action', id: 501, parent: 7 }], /campaign 7 has no action 501/],
        [[{ kind: 'newsletter_variant', id: 45, parent: 1000 }], /newsletter 1000 has no content 45/],
        [[{ kind: 'broadcast_action', id: 401, parent: 99 }], /no broadcast 99/],
        [[{ kind: 'snippet', id: 'no_such_snippet' }], /no snippet no_such_snippet/],
        [[{ kind: 'collection', id: 4 }], /no collection 4/],
        [[{ kind: 'transactional_message', id: 0 }], /no transactional message 0/],
        // Campaign 17 was deleted mid-sync (data/deleted.ts): nothing under it exists any more.
        [[{ kind: 'campaign_action', id: 1701, parent: 17 }], /deleted mid-sync/],
        // A batch applies whole or not at all.
        [
          [
            { kind: 'segment', id: 4 },
            { kind: 'segment', id: 5 },
          ],
          /entity 1 .*no segment 5/,
        ],
        [
          [
            { kind: 'segment', id: 4 },
            { kind: 'segment', id: 4 },
          ],
          /segment 4 is already deleted/,
        ],
        ['not a list', /an array/],
        [[null], /an object/],
      ];
      for (const [entities, message] of bad) expect(() => sim.deleteEntities(entities as DeletedEntity[]), JSON.stringify(entities)).toThrow(message);
      expect(sim.truth.deletedEntities()).toEqual([]);
      expect(await served(sim)).toEqual(before);

      sim.deleteEntities([{ kind: 'campaign', id: '5' }]);
      expect(() => sim.deleteEntities([{ kind: 'campaign', id: 5 }])).toThrow(/campaign 5 is already deleted/);
      expect(() => sim.deleteEntities([{ kind: 'campaign_action', id: 501, parent: 5 }])).toThrow(/campaign 5 is already deleted/);
      sim.deleteEntities([{ kind: 'snippet', id: 'footer' }]);
      expect(() => sim.deleteEntities([{ kind: 'snippet', id: 'footer' }])).toThrow(/already deleted/);
      // The campaign's ten actions went with it, each reported once, with its parent.
      const gone = sim.truth.deletedEntities();
      expect(gone.map((e) => `${e.kind}:${e.id}`)).toEqual([
        'campaign:5',
        ...Array.from({ length: 10 }, (_, j) => `campaign_action:${501 + j}`),
        'snippet:footer',
      ]);
      expect(gone.filter((e) => e.kind === 'campaign_action').every((e) => e.parent === 5)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  test('a parent deleted mid-sync can be deleted for real: it leaves its list and takes no children', async () => {
    const sim = await start();
    try {
      const [campaign] = sim.truth.deletedParents().campaigns;
      expect(campaign).toBe(17);
      sim.deleteEntities([{ kind: 'campaign', id: 17 }]);
      expect(sim.truth.deletedEntities()).toEqual([{ kind: 'campaign', id: 17 }]);
      expect(sim.truth.deletedParents().campaigns).toEqual([]);
      expect(sim.truth.campaigns().map((c) => c.id)).not.toContain(17);
      expect((await call<{ campaigns: Row[] }>(sim, '/v1/campaigns')).json.campaigns.map((c) => c.id)).not.toContain(17);
      await expectGone(sim, '/v1/campaigns/17/actions');
    } finally {
      await sim.close();
    }
  });

  test('an export posted before a segment was deleted keeps its file; one posted after finds nobody in it', async () => {
    const sim = await start();
    try {
      const filter = { segment: { id: 6 } };
      const res = await call<{ export: { id: number } }>(sim, '/v1/exports/customers', { body: { filters: filter } });
      expect(res.status, res.text).toBe(200);
      const rows = [...(sim.truth.exportJobRows(res.json.export.id) ?? [])];
      expect(rows.length).toBeGreaterThan(0);
      sim.deleteEntities([{ kind: 'segment', id: 6 }]);
      expect([...(sim.truth.exportJobRows(res.json.export.id) ?? [])]).toEqual(rows);
      expect([...sim.truth.exportRows(filter)]).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  test('an inline backend answers exactly as the worker does after the same deletes', async () => {
    const worker = await start();
    const inline = await start({ backend: 'inline' });
    try {
      const batch: DeletedEntity[] = [
        { kind: 'campaign', id: 13 },
        { kind: 'newsletter_variant', id: 13, parent: 1009 },
        { kind: 'broadcast_action', id: 604, parent: 6 },
        { kind: 'segment', id: 10 },
      ];
      worker.deleteEntities(batch);
      inline.deleteEntities(batch);
      expect(await served(inline)).toEqual(await served(worker));
      expect(inline.truth.deletedEntities()).toEqual(worker.truth.deletedEntities());
    } finally {
      await Promise.all([worker.close(), inline.close()]);
    }
  });
});
