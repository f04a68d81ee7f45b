import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricEntityKind } from 'customerio-simulator';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { configuredCatalog, streamDef } from '../helpers/catalog.js';
import { recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Every metrics record against the simulator's ground truth: the bucket start the tap computed
 * (UTC for version=2 and journeys, US Eastern for period/steps) and every count in it.
 */
type Row = Record<string, any>;

/**
 * What the API does for each metrics stream, the expectation under test, so written out here
 * rather than read from the definitions: the simulator's series it must match and the time zone
 * its buckets start in. Which streams are metrics streams, and their keys, come from the
 * definitions: a metrics stream missing here fails 'reads every metrics stream'.
 */
const STREAMS: Record<string, { kind: MetricEntityKind; tz: string }> = {
  campaign_metrics: { kind: 'campaign', tz: 'UTC' },
  campaign_action_metrics: { kind: 'campaign_action', tz: 'UTC' },
  campaign_journey_metrics: { kind: 'journey', tz: 'UTC' },
  newsletter_metrics: { kind: 'newsletter', tz: 'America/New_York' },
  broadcast_metrics: { kind: 'broadcast', tz: 'America/New_York' },
  broadcast_action_metrics: { kind: 'broadcast_action', tz: 'America/New_York' },
  transactional_metrics: { kind: 'transactional', tz: 'America/New_York' },
};
/** Link metrics: period/steps, so US Eastern, one series set per link. */
const LINK_STREAMS: Record<string, { kind: 'campaign' | 'newsletter' | 'transactional' }> = {
  campaign_link_metrics: { kind: 'campaign' },
  newsletter_link_metrics: { kind: 'newsletter' },
  transactional_link_metrics: { kind: 'transactional' },
};
const METRICS_STREAMS = ALL_STREAMS.filter((def) => def.cursor?.mode === 'metrics').map((def) => def.name);

/** The ids of the entity a record counts, in primary-key order (the link's id and the bucket aside). */
function idsOf(stream: string): (r: Row) => unknown[] {
  const fields = streamDef(stream)
    .primaryKey.map(([field]) => field as string)
    .filter((field) => !['resolution', 'period_start', 'link_id'].includes(field));
  return (r) => fields.map((field) => r[field]);
}

/** Truth sums hours, so checking every bucket would take minutes: two entities, 40 buckets each, spread out. */
function sample(records: Row[], key: (r: Row) => string): Row[] {
  const byEntity = new Map<string, Row[]>();
  for (const record of records) {
    const k = key(record);
    if (!byEntity.has(k) && byEntity.size >= 2) continue;
    byEntity.set(k, [...(byEntity.get(k) ?? []), record]);
  }
  return [...byEntity.values()].flatMap((rows) => rows.filter((_, i) => i % Math.max(1, Math.ceil(rows.length / 40)) === 0 || i === rows.length - 1));
}

let ws: TestWorkspace;
const reads = new Map<string, CliResult>();

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 });
  const names = METRICS_STREAMS;
  const catalog = writeFiles({
    'k.json': await configuredCatalog(ws.configPath, Object.fromEntries(names.map((n) => [n, 'incremental'])) as Record<string, 'incremental'>),
  })['k.json'] as string;
  // History enough for several buckets, DST changes included, without holding a year of hours in memory.
  const history: Record<string, number> = { hours: 3, days: 200, weeks: 200, months: 400 };
  for (const resolution of ['hours', 'days', 'weeks', 'months']) {
    const start_date = new Date((ws.sim.now() - (history[resolution] as number) * 86_400) * 1000).toISOString();
    const { 'c.json': config } = writeFiles({ 'c.json': { ...ws.config, requests_per_second: 100, metrics_resolution: resolution, start_date } });
    reads.set(resolution, await runCli(['read', '--config', config as string, '--catalog', catalog], { timeoutMs: 170_000 }));
  }
}, 600_000);

afterAll(async () => ws.close());

describe.each(['hours', 'days', 'weeks', 'months'])('metrics at resolution %s', (resolution) => {
  it('reads every metrics stream', () => {
    const result = reads.get(resolution) as CliResult;
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    expect(METRICS_STREAMS.length).toBeGreaterThan(0);
    expect([...Object.keys(STREAMS), ...Object.keys(LINK_STREAMS)].sort()).toEqual([...METRICS_STREAMS].sort());
    for (const name of METRICS_STREAMS) expect(recordsOf(result.messages, name).length, name).toBeGreaterThan(0);
  });

  it("each bucket starts where the API's time zone says and holds exactly its counts", { timeout: 120_000 }, () => {
    const truth = ws.sim.truth;
    const result = reads.get(resolution) as CliResult;
    let checked = 0;
    for (const [name, spec] of Object.entries(STREAMS)) {
      const idsFor = idsOf(name);
      for (const record of sample(recordsOf(result.messages, name), (r) => JSON.stringify(idsFor(r)))) {
        expect(record['resolution']).toBe(resolution);
        const start = Date.parse(record['period_start']) / 1000;
        const ids = idsFor(record) as Array<number | string>;
        const series = truth.metricSeriesNames(spec.kind, ids);
        const got = { ...record['other_series'], ...record };
        for (const name2 of series) {
          expect(got[name2], `${name} ${ids.join('/')} ${record['period_start']} ${name2}`).toBe(
            truth.bucketCount(spec.kind, ids, name2, resolution, start, spec.tz),
          );
          checked++;
        }
      }
    }
    for (const [name, spec] of Object.entries(LINK_STREAMS)) {
      const idsFor = idsOf(name);
      for (const record of sample(recordsOf(result.messages, name), (r) => JSON.stringify(idsFor(r)))) {
        const start = Date.parse(record['period_start']) / 1000;
        const ids = idsFor(record) as Array<number | string>;
        for (const series of ['clicked', 'human_clicked', 'machine_clicked'] as const) {
          expect(record[series], `${name} ${ids.join('/')} link ${record['link_id']} ${record['period_start']} ${series}`).toBe(
            truth.linkBucketCount(spec.kind, ids, record['link_id'], series, resolution, start, 'America/New_York'),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("bucket starts are consecutive boundaries: v2 from the window start, v1 ending at the server's current period", () => {
    const truth = ws.sim.truth;
    const result = reads.get(resolution) as CliResult;
    const all = recordsOf(result.messages, 'campaign_metrics');
    const campaign = all.filter((r) => r['campaign_id'] === all[0]?.['campaign_id']);
    const starts = campaign.map((r) => Date.parse(r['period_start']) / 1000);
    expect(starts.length).toBeGreaterThan(1);
    const expected = truth.v2BucketStarts(resolution, starts[0] as number, truth.now(), 'UTC');
    expect(starts).toEqual(expected.filter((s: number) => s <= truth.now()));
    const letters = recordsOf(result.messages, 'newsletter_metrics');
    const newsletter = letters.filter((r) => r['newsletter_id'] === letters[0]?.['newsletter_id']);
    const v1 = newsletter.map((r) => Date.parse(r['period_start']) / 1000);
    const served = truth.v1BucketStarts(resolution, 0);
    expect(v1).toEqual(served.slice(served.length - v1.length));
  });
});
