import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * The start/end metrics endpoints refuse an `end` more than 10 years after `start`. A start_date
 * further back than that (the simulator has an 11-year-old campaign) is read in spans, and every
 * month of the campaign's life comes back with its counts.
 */
let ws: TestWorkspace;
let result: CliResult;
let startDate: number;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 });
  startDate = ws.sim.now() - 12 * 366 * 86_400;
  const { 'c.json': config } = writeFiles({
    'c.json': { ...ws.config, requests_per_second: 100, metrics_resolution: 'months', start_date: new Date(startDate * 1000).toISOString() },
  });
  const catalog = await configuredCatalog(config as string, { campaign_metrics: 'incremental', campaign_journey_metrics: 'incremental' });
  const { 'k.json': catalogPath } = writeFiles({ 'k.json': catalog });
  result = await runCli(['read', '--config', config as string, '--catalog', catalogPath as string], { timeoutMs: 120_000 });
}, 180_000);

afterAll(async () => ws?.close());

describe('metrics over more than ten years', () => {
  it('both streams complete: no request spans more than ten years', () => {
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    expect(ofType(result.messages, 'TRACE').filter((m) => m['trace']['type'] === 'ERROR')).toEqual([]);
  });

  it.each([
    ['campaign_metrics', 'campaign', 'sent'],
    ['campaign_journey_metrics', 'journey', 'started'],
  ] as const)('%s: one bucket per month of the whole range, each with its counts', (stream, kind, series) => {
    const truth = ws.sim.truth;
    const oldest = (truth.campaigns() as Array<Record<string, any>>).reduce((a, b) => (a['created'] < b['created'] ? a : b));
    expect(oldest['created']).toBeLessThan(ws.sim.now() - 10 * 366 * 86_400);
    const rows = recordsOf(result.messages, stream).filter((r) => r['campaign_id'] === oldest['id']);
    const starts = rows.map((r) => Date.parse(r['period_start']) / 1000);
    const expected = truth.v2BucketStarts('months', starts[0] as number, truth.now(), 'UTC');
    expect(starts).toEqual(expected);
    expect(starts[0]).toBeLessThanOrEqual(startDate + 31 * 86_400);
    expect(new Set(starts).size).toBe(starts.length);
    let counted = 0;
    for (const row of rows) {
      const want = truth.bucketCount(kind, [oldest['id']], series, 'months', Date.parse(row['period_start']) / 1000, 'UTC');
      expect(row[series], `${stream} ${row['period_start']}`).toBe(want);
      counted += want;
    }
    expect(counted).toBeGreaterThan(0);
  });
});
