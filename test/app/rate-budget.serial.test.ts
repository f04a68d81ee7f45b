import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, spawnSimulator, type SimulatorProcess, type SimulatorStats } from 'customerio-simulator';
import { configuredCatalog, CORE_STREAM_MODES } from '../helpers/catalog.js';
import { ofType, runCli, writeFiles, type CliResult } from '../helpers/cli.js';

let sim: SimulatorProcess;
let result: CliResult;
let stats: SimulatorStats;

beforeAll(async () => {
  // The real account limit (10 requests in any 1 s window, 429 without Retry-After beyond it),
  // served from a process of its own like the real API.
  sim = await spawnSimulator(['--scale', 'medium', '--rate-limit', '10']);
  const { 'config.json': configPath } = writeFiles({ 'config.json': { app_api_key: DEMO_API_KEY, base_url: sim.url, requests_per_second: 10 } });
  const catalog = await configuredCatalog(configPath as string, CORE_STREAM_MODES);
  const { 'c.json': catalogPath } = writeFiles({ 'c.json': catalog });
  await sim.resetStats();
  result = await runCli(['read', '--config', configPath as string, '--catalog', catalogPath as string], { timeoutMs: 170_000 });
  stats = await sim.stats();
}, 180_000);

afterAll(async () => sim.close());

describe('a full medium read at 10 requests/s', () => {
  it('completes every stream', () => {
    expect(result.code, result.stderr).toBe(0);
  });

  it('gets zero 429s and uses at least 90% of the budget', () => {
    expect(stats.requests).toBeGreaterThan(100);
    expect(stats.rateLimited).toBe(0);
    expect(stats.maxInWindow).toBeLessThanOrEqual(10);
    const seconds = ((stats.lastAt as number) - (stats.firstAt as number)) / 1000;
    const rate = (stats.requests - 1) / seconds;
    expect(rate / 10).toBeGreaterThanOrEqual(0.9);
  });

  it('logs the requests/s it achieved at the end of the read', () => {
    const logs = ofType(result.messages, 'LOG').map((m) => m['log']['message'] as string);
    const summary = logs.find((m) => /requests\/s \(\d+% of the 10\/s budget\), 0 rate-limited/.test(m));
    expect(summary).toBeDefined();
  });
});
