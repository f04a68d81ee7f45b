import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ofType, recordsOf, type CliResult } from '../helpers/cli.js';
import { proxiedRead } from '../helpers/proxied-read.js';
import type { RecordingProxy } from '../helpers/recording-proxy.js';
import type { TestWorkspace } from '../helpers/simulator.js';

/**
 * The journey metrics endpoint names its bucket size `resolution` (the spec's name), while the
 * v2 metrics endpoints call it `res`. The simulator accepts both on journeys, so the request
 * itself is observed: the tap reads through a loopback proxy that records every request line.
 */
type Row = Record<string, any>;
const DAY = 86_400;
const JOURNEY = /^\/v1\/campaigns\/[^/]+\/journey_metrics$/;

let ws: TestWorkspace;
let proxy: RecordingProxy;
let result: CliResult;

beforeAll(async () => {
  // Not the default resolution, so the value sent is the configured one and not a default.
  ({ ws, proxy, result } = await proxiedRead(
    {},
    (w) => ({ metrics_resolution: 'weeks', start_date: new Date((w.sim.now() - 90 * DAY) * 1000).toISOString() }),
    { campaign_journey_metrics: 'incremental' },
  ));
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await ws?.close();
});

describe('journey metrics request', () => {
  it('campaign_journey_metrics completes with weekly buckets', () => {
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const status = ofType(result.messages, 'TRACE')
      .filter((m) => m['trace']['type'] === 'STREAM_STATUS')
      .map((m) => m['trace']['stream_status']['status'])
      .at(-1);
    expect(status).toBe('COMPLETE');
    const rows = recordsOf(result.messages, 'campaign_journey_metrics');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row['resolution']).toBe('weeks');
    // The counts are the weekly ones (a daily answer read as weeks would differ).
    const truth = ws.sim.truth;
    let total = 0;
    for (const row of rows.slice(0, 40)) {
      const want = truth.bucketCount('journey', [row['campaign_id']], 'started', 'weeks', Date.parse(row['period_start']) / 1000, 'UTC');
      expect(row['started'], `${row['campaign_id']} ${row['period_start']}`).toBe(want);
      total += want;
    }
    expect(total).toBeGreaterThan(0);
  });

  it('names its bucket size parameter resolution, never res, and sends start and end', () => {
    const journeys = proxy.requests.filter((r) => JOURNEY.test(r.url.pathname));
    // One request (at least) for every campaign that has rows.
    const asked = new Set(journeys.map((r) => r.url.pathname.split('/')[3]));
    const read = new Set(recordsOf(result.messages, 'campaign_journey_metrics').map((r: Row) => String(r['campaign_id'])));
    expect(read.size).toBeGreaterThan(0);
    for (const id of read) expect(asked.has(id), `campaign ${id}`).toBe(true);
    for (const request of journeys) {
      const where = `${request.method} ${request.url.pathname}${request.url.search}`;
      expect(request.method, where).toBe('GET');
      expect(request.url.searchParams.get('resolution'), where).toBe('weeks');
      expect(request.url.searchParams.has('res'), where).toBe(false);
      expect(request.url.searchParams.has('start') && request.url.searchParams.has('end'), where).toBe(true);
    }
  });
});
