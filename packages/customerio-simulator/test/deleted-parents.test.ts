import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simulator } from '../src/index.js';
import { call, DAY, NOW, routeError, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

/** Expects a 404 with the errors envelope (status string or number, by path). */
async function expectGone(path: string): Promise<void> {
  const res = await call(sim, path);
  expect(res.status, path).toBe(404);
  expect(res.json, path).toEqual(routeError(path, 404));
}

describe('a parent deleted between its list and its children (§7.14)', () => {
  test('one campaign, segment, newsletter and broadcast at small scale, chosen by seed among the ordinary ones', async () => {
    const gone = sim.truth.deletedParents();
    for (const ids of Object.values(gone)) expect(ids).toHaveLength(1);
    const other = await start({ seed: 2 });
    try {
      expect(other.truth.deletedParents()).not.toEqual(gone);
    } finally {
      await other.close();
    }
    // Never one of the edge cases other tests rely on.
    expect([3, 5, 7]).not.toContain(gone.campaigns[0]);
    expect([2, 4, 6]).not.toContain(gone.broadcasts[0]);
    expect(gone.newsletters[0]).not.toBe(1000);
    expect(sim.truth.segmentMembers(gone.segments[0] ?? 0)).toEqual([]);
  });

  test('the campaign is still listed; its own endpoints, children and metrics answer 404', async () => {
    const [id] = sim.truth.deletedParents().campaigns;
    const listed = (await call<{ campaigns: { id: number; actions: { id: number }[] | null }[] }>(sim, '/v1/campaigns')).json.campaigns;
    const campaign = listed.find((c) => c.id === id);
    expect(campaign).toEqual(sim.truth.campaign(id ?? 0));
    const action = campaign?.actions?.[0]?.id;
    expect(action).toBeDefined();
    const q = `?version=2&res=days&start=${NOW - 2 * DAY}&end=${NOW}`;
    for (const path of [
      `/v1/campaigns/${id}`,
      `/v1/campaigns/${id}/actions`,
      `/v1/campaigns/${id}/actions?start=MTA=`,
      `/v1/campaigns/${id}/actions/${action}`,
      `/v1/campaigns/${id}/metrics`,
      `/v1/campaigns/${id}/metrics${q}`,
      `/v1/campaigns/${id}/actions/${action}/metrics`,
      `/v1/campaigns/${id}/journey_metrics?resolution=days&start=${NOW - 2 * DAY}&end=${NOW}`,
      `/v1/campaigns/${id}/metrics/links`,
      `/v1/campaigns/${id}/actions/${action}/metrics/links`,
    ]) {
      await expectGone(path);
    }
    // The truth: nothing under it is served.
    expect(sim.truth.campaignActions(id ?? 0)).toEqual([]);
    expect(sim.truth.metricSeriesNames('campaign', [id ?? 0])).toEqual([]);
    expect(sim.truth.metricSeriesNames('journey', [id ?? 0])).toEqual([]);
    expect(sim.truth.metricLinks('campaign', [id ?? 0])).toEqual([]);
    expect(sim.truth.bucketCount('campaign', [id ?? 0], 'sent', 'days', NOW - DAY)).toBe(0);
    const actions = sim.truth
      .campaigns()
      .filter((c) => c.id !== id)
      .reduce((n, c) => n + (c.actions?.length ?? 0), 0);
    expect(sim.truth.counts().actions).toBe(actions);
  });

  test('the segment is still listed; its record, membership, count and usage answer 404; a search on it finds nobody', async () => {
    const [id] = sim.truth.deletedParents().segments;
    const listed = (await call<{ segments: { id: number }[] }>(sim, '/v1/segments')).json.segments;
    expect(listed.map((s) => s.id)).toContain(id);
    for (const path of [`/v1/segments/${id}`, `/v1/segments/${id}/membership`, `/v1/segments/${id}/customer_count`, `/v1/segments/${id}/used_by`]) {
      await expectGone(path);
    }
    expect(sim.truth.segmentMembers(id ?? 0)).toEqual([]);
    expect(sim.truth.segmentUsage(id ?? 0)).toBeUndefined();
    const search = await call(sim, '/v1/customers?limit=1000', { body: { filter: { segment: { id } } } });
    expect(search.json).toEqual({ identifiers: null, ids: null, next: '' });
  });

  test('the newsletter is still listed; its record, contents, test groups and metrics answer 404', async () => {
    const [id] = sim.truth.deletedParents().newsletters;
    const newsletter = sim.truth.newsletters().find((n) => n.id === id);
    expect(newsletter).toBeDefined();
    const content = newsletter?.content_ids[0];
    for (const path of [
      `/v1/newsletters/${id}`,
      `/v1/newsletters/${id}/contents`,
      `/v1/newsletters/${id}/test_groups`,
      `/v1/newsletters/${id}/metrics`,
      `/v1/newsletters/${id}/contents/${content}/metrics`,
      `/v1/newsletters/${id}/metrics/links`,
      `/v1/newsletters/${id}/contents/${content}/metrics/links`,
    ]) {
      await expectGone(path);
    }
    expect(sim.truth.newsletterContents(id ?? 0)).toEqual([]);
    expect(sim.truth.newsletterTestGroups(id ?? 0)).toEqual([]);
    expect(sim.truth.metricSeriesNames('newsletter', [id ?? 0])).toEqual([]);
  });

  test('the broadcast is still listed; its record, actions, triggers and metrics answer 404', async () => {
    const [id] = sim.truth.deletedParents().broadcasts;
    const broadcast = sim.truth.broadcasts().find((b) => b.id === id);
    const action = broadcast?.actions?.[0]?.id;
    expect(action).toBeDefined();
    for (const path of [
      `/v1/broadcasts/${id}`,
      `/v1/broadcasts/${id}/actions`,
      `/v1/broadcasts/${id}/actions/${action}`,
      `/v1/broadcasts/${id}/triggers`,
      `/v1/broadcasts/${id}/metrics`,
      `/v1/broadcasts/${id}/actions/${action}/metrics`,
      `/v1/broadcasts/${id}/metrics/links`,
      `/v1/broadcasts/${id}/actions/${action}/metrics/links`,
    ]) {
      await expectGone(path);
    }
    expect(sim.truth.broadcastActions(id ?? 0)).toEqual([]);
    expect(sim.truth.broadcastTriggers(id ?? 0)).toEqual([]);
    expect(sim.truth.metricSeriesNames('broadcast', [id ?? 0])).toEqual([]);
  });

  test('the siblings of a deleted parent are unaffected, and the choice survives advance()', async () => {
    const s = await start();
    try {
      const before = s.truth.deletedParents();
      s.advance(30 * DAY);
      expect(s.truth.deletedParents()).toEqual(before);
      const sibling = s.truth.campaigns().find((c) => c.actions !== null && !before.campaigns.includes(c.id));
      expect((await call(s, `/v1/campaigns/${sibling?.id}/actions`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  test('a workspace too small to spare an ordinary record deletes none of that kind', async () => {
    const s = await start({ sizes: { campaigns: 3, broadcasts: 3, newsletters: 1 } });
    try {
      const gone = s.truth.deletedParents();
      expect(gone.campaigns).toEqual([]);
      expect(gone.broadcasts).toEqual([]);
      expect(gone.newsletters).toEqual([]);
      for (const c of s.truth.campaigns()) expect((await call(s, `/v1/campaigns/${c.id}/actions`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
