import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog, finalStates } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, TEST_KEY, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Metrics counts of recent buckets keep growing after the hour (§6, §7.7): an incremental read
 * re-reads `metrics_lookback_days` before its bookmark. Two reads, the workspace clock moved two
 * days between them: the second re-emits exactly the buckets inside the lookback, each with the
 * counts the API holds now. campaign_metrics is v2 (UTC buckets), newsletter_metrics v1 (US
 * Eastern buckets). Newsletter rows also carry the `metric.type` the API names (§6).
 */
type Row = Record<string, any>;
const DAY = 86_400;
const LOOKBACK_DAYS = 7;
const ADVANCE = 2 * DAY;

const STREAMS = {
  campaign_metrics: { kind: 'campaign', tz: 'UTC', id: 'campaign_id' },
  newsletter_metrics: { kind: 'newsletter', tz: 'America/New_York', id: 'newsletter_id' },
} as const;
type Name = keyof typeof STREAMS;

let ws: TestWorkspace;
let first: CliResult;
let second: CliResult;
let bookmarks: Record<string, number>;

const startOf = (record: Row): number => Date.parse(record['period_start']) / 1000;
const keyOf = (stream: Name, record: Row): string => `${record[STREAMS[stream].id]}|${record['period_start']}`;

beforeAll(async () => {
  // The workspace clock three days behind wall time, so it can move two days and stay in the past.
  ws = await testWorkspace({ scale: 'small', rateLimit: 0, now: Math.floor(Date.now() / 1000) - 3 * DAY });
  const start_date = new Date((ws.sim.now() - 30 * DAY) * 1000).toISOString();
  const { 'c.json': config } = writeFiles({ 'c.json': { ...ws.config, requests_per_second: 100, start_date, metrics_lookback_days: LOOKBACK_DAYS } });
  const { 'k.json': catalog } = writeFiles({
    'k.json': await configuredCatalog(config as string, { campaign_metrics: 'incremental', newsletter_metrics: 'incremental' }),
  });
  first = await runCli(['read', '--config', config as string, '--catalog', catalog as string], { timeoutMs: 50_000 });
  const states = finalStates(first.messages) as Row[];
  bookmarks = Object.fromEntries(states.map((s) => [s['stream']['stream_descriptor']['name'], Date.parse(s['stream']['stream_state']['period_start']) / 1000]));
  ws.sim.advance(ADVANCE);
  const { 's.json': state } = writeFiles({ 's.json': states });
  second = await runCli(['read', '--config', config as string, '--catalog', catalog as string, '--state', state as string], { timeoutMs: 50_000 });
}, 120_000);

afterAll(async () => ws?.close());

describe('newsletter metrics name their channel (§6)', () => {
  it('newsletter_metrics rows carry type = the metric.type the API serves for that newsletter', async () => {
    expect(first.code, first.stderr.slice(-1000)).toBe(0);
    const rows = recordsOf(first.messages, 'newsletter_metrics');
    const ids = [...new Set(rows.map((r) => r['newsletter_id'] as number))];
    expect(ids.length).toBeGreaterThan(1);
    const served = new Map<number, unknown>();
    for (const id of ids) {
      const answer = await fetch(`${ws.sim.url}/v1/newsletters/${id}/metrics?period=days&steps=2`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
      expect(answer.status).toBe(200);
      served.set(id, ((await answer.json()) as Row)['metric']['type']);
    }
    for (const row of rows) expect(row['type'], `newsletter ${row['newsletter_id']}`).toBe(served.get(row['newsletter_id']));
    // Not one constant: the channels differ between newsletters.
    expect(new Set(served.values()).size).toBeGreaterThan(1);
  });
});

describe('a second incremental read after the counts grew', () => {
  it('both reads complete', () => {
    expect(first.code, first.stderr.slice(-1000)).toBe(0);
    expect(second.code, second.stderr.slice(-1000)).toBe(0);
    for (const stream of Object.keys(STREAMS)) {
      expect(recordsOf(first.messages, stream).length, stream).toBeGreaterThan(0);
      expect(bookmarks[stream], stream).toBeGreaterThan(0);
    }
    expect(ofType(second.messages, 'TRACE').filter((m) => m['trace']['type'] === 'ERROR')).toEqual([]);
  });

  it.each(Object.keys(STREAMS) as Name[])(
    '%s: an entity whose lookback moved re-emits exactly its buckets inside the lookback; one that did not, only its new buckets',
    (stream) => {
      const truth = ws.sim.truth;
      const spec = STREAMS[stream];
      const bookmark = bookmarks[stream] as number;
      const rows = recordsOf(second.messages, stream);
      expect(rows.length).toBeGreaterThan(0);
      const keys = rows.map((r) => keyOf(stream, r));
      expect(keys.length, 'duplicates').toBe(new Set(keys).size);
      // From the bucket holding bookmark - lookback (days in the API's zone) to the one holding now.
      const from = bookmark - LOOKBACK_DAYS * DAY;
      const served = (spec.tz === 'UTC' ? truth.v2BucketStarts('days', from - 2 * DAY, truth.now(), 'UTC') : truth.v1BucketStarts('days', 45)) as number[];
      const holdingFrom = Math.max(...served.filter((s) => s <= from));
      const expectedStarts = served.filter((s) => s >= holdingFrom && s <= truth.now());
      expect(expectedStarts.length).toBeGreaterThanOrEqual(LOOKBACK_DAYS + 2);
      const entities = new Set(rows.map((r) => r[spec.id]));
      const firstRows = recordsOf(first.messages, stream);
      expect(entities).toEqual(new Set(firstRows.map((r) => r[spec.id])));
      const seriesNow = (entity: number, start: number): Row =>
        Object.fromEntries(
          (ws.sim.truth.metricSeriesNames(spec.kind, [entity]) as string[]).map((series) => [
            series,
            truth.bucketCount(spec.kind, [entity], series, 'days', start, spec.tz),
          ]),
        );
      let moved = 0;
      for (const entity of entities) {
        const starts = rows
          .filter((r) => r[spec.id] === entity)
          .map(startOf)
          .sort((a, b) => a - b);
        if (starts.length === expectedStarts.length) {
          expect(starts, `${stream} ${entity}`).toEqual(expectedStarts);
          moved++;
          continue;
        }
        // Not re-emitted: what the first read emitted for the lookback is still what the API holds.
        expect(starts, `${stream} ${entity}`).toEqual(expectedStarts.filter((s) => s > bookmark));
        for (const row of firstRows.filter((r) => r[spec.id] === entity && startOf(r) >= holdingFrom && startOf(r) <= bookmark)) {
          const got = { ...row['other_series'], ...row };
          for (const [series, count] of Object.entries(seriesNow(entity, startOf(row))))
            expect(got[series], `${stream} ${entity} ${row['period_start']} ${series}`).toBe(count);
        }
      }
      expect(moved, 'some counts grew in the lookback').toBeGreaterThan(0);
    },
  );

  it.each(Object.keys(STREAMS) as Name[])('%s: the re-emitted buckets hold the counts the API holds now, and some grew', { timeout: 60_000 }, (stream) => {
    const truth = ws.sim.truth;
    const spec = STREAMS[stream];
    const before = new Map(recordsOf(first.messages, stream).map((r) => [keyOf(stream, r), r]));
    let checked = 0;
    let grew = 0;
    for (const row of recordsOf(second.messages, stream)) {
      const ids = [row[spec.id] as number];
      const start = startOf(row);
      const got = { ...row['other_series'], ...row };
      const earlier = before.get(keyOf(stream, row));
      for (const series of truth.metricSeriesNames(spec.kind, ids) as string[]) {
        expect(got[series], `${stream} ${ids[0]} ${row['period_start']} ${series}`).toBe(truth.bucketCount(spec.kind, ids, series, 'days', start, spec.tz));
        checked++;
        const was = earlier === undefined ? undefined : { ...earlier['other_series'], ...earlier }[series];
        if (typeof was === 'number' && got[series] > was) grew++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // The point of the lookback: buckets the first read already had came back with larger counts.
    expect(grew).toBeGreaterThan(0);
  });
});
