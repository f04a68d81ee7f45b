import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog, finalStates } from '../helpers/catalog.js';
import { recordsOf, runCli, writeFiles } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

const DAY = 86_400;
const iso = (unix: number) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');

let ws: TestWorkspace;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 });
});

afterAll(async () => ws.close());

describe('end_date: backfilling history month by month', () => {
  it('12 monthly runs, each continuing from the last state, equal one yearly run', { timeout: 120_000 }, async () => {
    const yearStart = ws.sim.now() - 360 * DAY;
    const yearEnd = yearStart + 12 * 30 * DAY;
    const catalog = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { messages: 'incremental', campaign_metrics: 'incremental' }) })[
      'k.json'
    ] as string;
    const config = (end: number) =>
      writeFiles({
        'c.json': {
          ...ws.config,
          requests_per_second: 100,
          start_date: iso(yearStart),
          end_date: iso(end),
          messages_lookback_days: 3,
          metrics_lookback_days: 3,
        },
      })['c.json'] as string;

    const yearly = await runCli(['read', '--config', config(yearEnd), '--catalog', catalog]);
    expect(yearly.code, yearly.stderr).toBe(0);

    const monthly = new Map<string, Record<string, unknown>>();
    const monthlyMetrics = new Map<string, Record<string, unknown>>();
    let state: object[] = [];
    for (let month = 1; month <= 12; month++) {
      const end = yearStart + month * 30 * DAY;
      const args = ['read', '--config', config(end), '--catalog', catalog];
      if (state.length > 0) args.push('--state', writeFiles({ 's.json': state })['s.json'] as string);
      const run = await runCli(args);
      expect(run.code, run.stderr).toBe(0);
      for (const record of recordsOf(run.messages, 'messages')) {
        expect(record['created'] as number).toBeLessThan(end);
        monthly.set(record['id'] as string, record);
      }
      for (const record of recordsOf(run.messages, 'campaign_metrics')) monthlyMetrics.set(`${record['campaign_id']}@${record['period_start']}`, record);
      state = finalStates(run.messages);
      // The bookmark never moves past end_date.
      const bookmark = (state as Array<Record<string, any>>).find((s) => s['stream']['stream_descriptor']['name'] === 'messages')?.['stream']['stream_state'][
        'created'
      ];
      expect(bookmark).toBeLessThanOrEqual(end);
    }
    const yearlyIds = recordsOf(yearly.messages, 'messages').map((r) => r['id']);
    expect(yearlyIds.length).toBeGreaterThan(0);
    expect(yearlyIds.length).toBe(ws.sim.truth.messageCount(yearStart, yearEnd - 1));
    expect(new Set(monthly.keys())).toEqual(new Set(yearlyIds));
    const yearlyBuckets = new Set(recordsOf(yearly.messages, 'campaign_metrics').map((r) => `${r['campaign_id']}@${r['period_start']}`));
    expect(yearlyBuckets.size).toBeGreaterThan(0);
    expect(new Set(monthlyMetrics.keys())).toEqual(yearlyBuckets);
  });
});

describe('preview', () => {
  it('prints at most --limit records as a table, with as few requests as that needs', async () => {
    ws.sim.resetStats();
    const result = await runCli(['preview', '--config', ws.configPath, '--stream', 'newsletters', '--limit', '3']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+/);
    expect(lines[1]).toMatch(/^-+\s+-+/);
    expect(lines.slice(2).filter((l) => /^\d+\s/.test(l))).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
    expect(ws.sim.stats().requests).toBe(1);
  });

  it('--format jsonl prints the records whole', async () => {
    const result = await runCli(['preview', '--config', ws.configPath, '--stream', 'campaigns_actions', '--limit', '2', '--format', 'jsonl']);
    expect(result.code, result.stderr).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toHaveProperty('campaign_id');
  });

  it('explains an empty answer and what to try', async () => {
    const result = await runCli([
      'preview',
      '--config',
      ws.configPath,
      '--stream',
      'messages',
      '--start',
      '2001-01-01T00:00:00Z',
      '--end',
      '2001-02-01T00:00:00Z',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/No messages records came back/);
    expect(result.stderr).toMatch(/try a wider --start\/--end/);
    expect(result.stderr).toMatch(/check --config/);
  });

  it("reuses check's hints when the key is refused or lacks access", async () => {
    const { 'bad.json': bad } = writeFiles({ 'bad.json': { app_api_key: 'wrong-key-0000', base_url: ws.sim.url } });
    const refused = await runCli(['preview', '--config', bad as string, '--stream', 'segments']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not a Track API key/);
    const blocked = await testWorkspace({ rateLimit: 0, forbidden: ['/v1/segments'] });
    try {
      const forbidden = await runCli(['preview', '--config', blocked.configPath, '--stream', 'segments']);
      expect(forbidden.code).not.toBe(0);
      expect(forbidden.stderr).toMatch(/lacks access to Segments/);
    } finally {
      await blocked.close();
    }
  });

  it('names an unknown stream and the known ones', async () => {
    const result = await runCli(['preview', '--config', ws.configPath, '--stream', 'campaign']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no stream "campaign".*campaigns, campaigns_actions/);
    expect(result.stdout).toBe('');
  });
});
