import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { recordsOf, runCli, writeFiles } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * The newer API build sends Retry-After on a per-second 429 (customerio-api.md §3). Here the
 * simulator's own limiter sends it, not a fault rule: a tap asking faster than the workspace
 * allows is told to wait, waits, and still reads everything once.
 */
let ws: TestWorkspace;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 3, retryAfter: true }, { requests_per_second: 20 });
}, 30_000);

afterAll(async () => ws?.close());

describe('429 with Retry-After from the rate limit itself', () => {
  it('every stream completes with exactly the data, after the 429s the simulator answered', async () => {
    const catalog = writeFiles({
      'k.json': await configuredCatalog(ws.configPath, { segments: 'full_refresh', newsletters: 'full_refresh', campaigns_actions: 'full_refresh' }),
    });
    ws.sim.resetStats();
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog['k.json'] as string], { timeoutMs: 120_000 });
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    expect(ws.sim.stats().rateLimited).toBeGreaterThan(0);
    const truth = ws.sim.truth;
    expect(
      recordsOf(result.messages, 'segments')
        .map((r) => r['id'])
        .sort(),
    ).toEqual(
      truth
        .segments()
        .map((s: any) => s.id)
        .sort(),
    );
    expect(
      recordsOf(result.messages, 'newsletters')
        .map((r) => r['id'])
        .sort(),
    ).toEqual(
      truth
        .newsletters()
        .map((n: any) => n.id)
        .sort(),
    );
    const actions = truth.campaigns().flatMap((c: any) => truth.campaignActions(c.id).map((a: any) => String(a.id)));
    expect(
      recordsOf(result.messages, 'campaigns_actions')
        .map((r) => r['id'])
        .sort(),
    ).toEqual(actions.sort());
  });
});
