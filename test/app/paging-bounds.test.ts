import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ofType, recordsOf, type CliResult } from '../helpers/cli.js';
import { proxiedRead } from '../helpers/proxied-read.js';
import type { RecordingProxy } from '../helpers/recording-proxy.js';
import type { TestWorkspace } from '../helpers/simulator.js';

/**
 * Each list has its own `limit` bounds (§7.16, §8), and the API clamps a larger one. A tap asking
 * more than the maximum would take a clamped page for a short last page and stop early on offset
 * lists. The tap reads through a loopback proxy that records every request line, so the page
 * sizes it asks are observed (the simulator tolerates any); and esp_suppressions, with lists of
 * a few thousand rows, is compared with the truth.
 */
type Row = Record<string, any>;

/** The documented maximum of each list; lists the spec gives no maximum clamp at 1000 (FIDELITY §8). */
const MAX_LIMIT: Array<[method: string, path: RegExp, max: number]> = [
  ['GET', /^\/v1\/messages$/, 1000],
  ['GET', /^\/v1\/activities$/, 100],
  ['GET', /^\/v1\/esp\/suppression\/[^/]+$/, 1000],
  ['GET', /^\/v1\/segments\/[^/]+\/membership$/, 30_000],
  ['POST', /^\/v1\/customers$/, 1000],
  ['POST', /^\/v1\/objects$/, 1000],
  ['GET', /^\/v1\/newsletters$/, 1000],
  ['GET', /^\/v1\/sender_identities$/, 1000],
];
const STREAMS = {
  messages: 'full_refresh',
  activities: 'full_refresh',
  esp_suppressions: 'full_refresh',
  segment_memberships: 'full_refresh',
  people: 'full_refresh',
  objects: 'full_refresh',
  newsletters: 'full_refresh',
  sender_identities: 'full_refresh',
} as const;
const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

let ws: TestWorkspace;
let proxy: RecordingProxy;
let result: CliResult;

beforeAll(async () => {
  ({ ws, proxy, result } = await proxiedRead({ sizes: { suppressionsPerType: 2500 } }, () => ({}), STREAMS));
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await ws?.close();
});

describe('page sizes and offset paging', () => {
  it('the read completes', () => {
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    for (const stream of Object.keys(STREAMS)) {
      const status = ofType(result.messages, 'TRACE')
        .filter((m) => m['trace']['type'] === 'STREAM_STATUS' && m['trace']['stream_status']['stream_descriptor']['name'] === stream)
        .map((m) => m['trace']['stream_status']['status'])
        .at(-1);
      expect(status, stream).toBe('COMPLETE');
    }
  });

  it("no request asks a page larger than its list's maximum; every paged list was asked with a limit", () => {
    const limited = proxy.requests.filter((r) => r.url.searchParams.has('limit'));
    expect(limited.length).toBeGreaterThan(0);
    for (const request of limited) {
      const rule = MAX_LIMIT.find(([method, path]) => method === request.method && path.test(request.url.pathname));
      const where = `${request.method} ${request.url.pathname}${request.url.search}`;
      expect(rule, `a limit on a list this test does not know: ${where}`).toBeDefined();
      const limit = Number(request.url.searchParams.get('limit'));
      expect(Number.isInteger(limit) && limit >= 1, where).toBe(true);
      expect(limit, where).toBeLessThanOrEqual(rule?.[2] as number);
    }
    for (const [method, path] of MAX_LIMIT) {
      expect(
        limited.some((r) => r.method === method && path.test(r.url.pathname)),
        `${method} ${path}`,
      ).toBe(true);
    }
  });

  it('esp_suppressions with lists past 1000 rows: every row of every list once', () => {
    const truth = ws.sim.truth;
    const sizes = SUPPRESSION_TYPES.map((type) => truth.suppressions(type).length);
    expect(Math.max(...sizes)).toBeGreaterThan(2000);
    const keys = recordsOf(result.messages, 'esp_suppressions').map((r) => `${r['suppression_type']}|${r['email']}`);
    expect(keys.length, 'duplicates').toBe(new Set(keys).size);
    const expected = SUPPRESSION_TYPES.flatMap((type) => truth.suppressions(type).map((s: Row) => `${type}|${s['email']}`));
    expect([...keys].sort()).toEqual([...expected].sort());
    // Offset paging walked past the first 1000 of the longest list.
    const offsets = proxy.requests.filter((r) => r.url.pathname.startsWith('/v1/esp/suppression/')).map((r) => Number(r.url.searchParams.get('offset') ?? 0));
    expect(Math.max(...offsets)).toBeGreaterThanOrEqual(2000);
  });
});
