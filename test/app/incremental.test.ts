import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog, CORE_STREAM_MODES, finalStates, streamDef } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

let ws: TestWorkspace;
let catalogPath: string;
let first: CliResult;
let second: CliResult;
let bookmarks: Record<string, Record<string, any>>;
let clockBefore: number;
/** The core streams that have a cursor; each one's cursor field, from its definition. */
const INCREMENTAL = Object.keys(CORE_STREAM_MODES).filter((name) => CORE_STREAM_MODES[name] === 'incremental');
const cursorOf = (name: string): string => streamDef(name).cursor?.field as string;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'medium', rateLimit: 0 }, { requests_per_second: 100 });
  const catalog = await configuredCatalog(ws.configPath, Object.fromEntries(INCREMENTAL.map((name) => [name, 'incremental'])));
  catalogPath = writeFiles({ 'c.json': catalog })['c.json'] as string;
  first = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath]);
  const states = finalStates(first.messages) as Array<Record<string, any>>;
  bookmarks = Object.fromEntries(states.map((s) => [s['stream']['stream_descriptor']['name'], s['stream']['stream_state']]));
  // The workspace lives on: new messages and activities arrive, some objects change.
  clockBefore = ws.sim.now();
  ws.sim.advance(3000);
  const { 's.json': statePath } = writeFiles({ 's.json': states });
  second = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath, '--state', statePath as string]);
}, 120_000);

afterAll(async () => ws.close());

describe('second incremental read after the workspace changed', () => {
  it('both reads complete', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
  });

  it('emits every message created since the first read, and nothing before the lookback', () => {
    const bookmark = bookmarks['messages']?.['created'] as number;
    const fresh = ws.sim.truth.messageIds(clockBefore + 1, ws.sim.now());
    expect(fresh.length).toBeGreaterThan(0);
    const got = new Set(recordsOf(second.messages, 'messages').map((r) => r['id']));
    for (const id of fresh) expect(got.has(id), id).toBe(true);
    for (const record of recordsOf(second.messages, 'messages')) expect(record['created']).toBeGreaterThanOrEqual(bookmark - 30 * 86_400);
    // Messages re-read in the lookback carry their updated metrics.
    const truth = new Map(ws.sim.truth.messages(bookmark - 30 * 86_400, ws.sim.now()).map((m: any) => [m.id, m]));
    for (const record of recordsOf(second.messages, 'messages')) expect(record).toEqual(truth.get(record['id']));
  });

  it('emits new activities and no activity older than the bookmark', () => {
    const bookmark = bookmarks['activities']?.['timestamp'] as number;
    const expected = ws.sim.truth.activities().filter((a: any) => a.timestamp >= bookmark && a.timestamp <= Math.floor(Date.now() / 1000));
    const got = recordsOf(second.messages, 'activities');
    expect(got.length).toBeGreaterThan(1);
    expect(new Set(got.map((r) => r['id']))).toEqual(new Set(expected.map((a: any) => a.id)));
  });

  it('emits the campaigns, actions, newsletters and segments that changed, and only recent ones', () => {
    // The lists without a parent or a time filter, each against the simulator's own list.
    const checks: Array<[string, string, any[]]> = [
      ['campaigns', cursorOf('campaigns'), ws.sim.truth.campaigns()],
      ['newsletters', cursorOf('newsletters'), ws.sim.truth.newsletters()],
      ['segments', cursorOf('segments'), ws.sim.truth.segments()],
    ];
    let changed = 0;
    for (const [stream, field, all] of checks) {
      const bookmark = bookmarks[stream]?.[field] as number;
      const got = recordsOf(second.messages, stream);
      for (const record of got) expect(record[field], stream).toBeGreaterThanOrEqual(bookmark - 3600);
      const ids = new Set(got.map((r) => r['id']));
      for (const item of all.filter((x) => x[field] > bookmark)) {
        changed++;
        expect(ids.has(item.id), `${stream} ${item.id}`).toBe(true);
      }
    }
    const actionStates = bookmarks['campaigns_actions']?.['partitions'] as Record<string, Record<string, number>>;
    const gotActions = new Set(recordsOf(second.messages, 'campaigns_actions').map((r) => r['id']));
    for (const campaign of ws.sim.truth.campaigns()) {
      const bookmark = actionStates[String(campaign.id)]?.['updated'] ?? 0;
      for (const action of ws.sim.truth.campaignActions(campaign.id).filter((a: any) => a.updated > bookmark)) {
        changed++;
        expect(gotActions.has(action.id)).toBe(true);
      }
    }
    expect(changed).toBeGreaterThan(0);
    expect(recordsOf(second.messages, 'campaigns').length).toBeLessThan(recordsOf(first.messages, 'campaigns').length);
  });

  it('moves every cursor forward, never back', () => {
    const later = Object.fromEntries(
      (finalStates(second.messages) as Array<Record<string, any>>).map((s) => [s['stream']['stream_descriptor']['name'], s['stream']['stream_state']]),
    );
    // Every stream but campaigns_actions, whose state holds a bookmark per campaign.
    const streams = INCREMENTAL.filter((name) => !streamDef(name).parent);
    expect(streams.length).toBeGreaterThan(0);
    for (const stream of streams) {
      const field = cursorOf(stream);
      expect(later[stream]?.[field], stream).toBeGreaterThanOrEqual(bookmarks[stream]?.[field]);
    }
  });
});

describe('a parent deleted mid-sync', () => {
  it("a 404 on a campaign's actions or a segment's members skips that parent with a log line", async () => {
    const victimCampaign = ws.sim.truth.campaigns()[1] as { id: number };
    const victimSegment = ws.sim.truth.segments().find((s: any) => ws.sim.truth.segmentMemberCioIds(s.id).length > 0) as { id: number };
    ws.sim.setFaults([
      { path: `^/v1/campaigns/${victimCampaign.id}/actions$`, kind: 'status', status: 404 },
      { path: `^/v1/segments/${victimSegment.id}/membership$`, kind: 'status', status: 404 },
    ]);
    const catalog = await configuredCatalog(ws.configPath, { campaigns_actions: 'full_refresh', segment_memberships: 'full_refresh' });
    const { 'c.json': path } = writeFiles({ 'c.json': catalog });
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', path as string]);
    ws.sim.setFaults([]);
    expect(result.code, result.stderr).toBe(0);
    const logs = ofType(result.messages, 'LOG').map((m) => m['log']['message'] as string);
    expect(logs).toContain(`campaigns_actions: campaigns ${victimCampaign.id} no longer exists (404); skipped`);
    expect(logs).toContain(`segment_memberships: segments ${victimSegment.id} no longer exists (404); skipped`);
    const actions = recordsOf(result.messages, 'campaigns_actions');
    expect(actions.some((a) => a['campaign_id'] === victimCampaign.id)).toBe(false);
    const expectedActions = ws.sim.truth
      .campaigns()
      .filter((c: any) => c.id !== victimCampaign.id)
      .flatMap((c: any) => ws.sim.truth.campaignActions(c.id));
    expect(actions.length).toBe(expectedActions.length);
    const memberships = recordsOf(result.messages, 'segment_memberships');
    expect(memberships.length).toBeGreaterThan(0);
    expect(memberships.some((r) => r['segment_id'] === victimSegment.id)).toBe(false);
  });
});
