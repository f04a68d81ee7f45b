import { describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, runCli, writeFiles } from '../helpers/cli.js';
import { testWorkspace } from '../helpers/simulator.js';

/**
 * The end-of-read summary reports the tap's own peak memory. getrusage's maxRSS survives exec on
 * Linux, so a tap started by a large parent used to report the parent's peak; here the parent
 * holds 600 MB when it starts the tap.
 */
describe("the summary's peak RSS", () => {
  it.runIf(process.platform === 'linux')("is the tap's own, not its parent's", async () => {
    const ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100 });
    const ballast = Buffer.alloc(600 * 1024 * 1024, 1);
    try {
      const catalog = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { campaigns: 'full_refresh' }) })['k.json'] as string;
      const result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog]);
      expect(result.code).toBe(0);
      const summary = ofType(result.messages, 'LOG')
        .map((m) => m['log']['message'] as string)
        .find((m) => m.startsWith('Read '));
      const peak = Number(/peak RSS (\d+) MB/.exec(summary ?? '')?.[1]);
      expect(peak).toBeGreaterThan(10);
      expect(peak).toBeLessThan(400);
      expect(ballast[ballast.length - 1]).toBe(1);
    } finally {
      await ws.close();
    }
  });
});
