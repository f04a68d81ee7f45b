import type { SimulatorOptions } from 'customerio-simulator';
import { configuredCatalog, type SyncMode } from './catalog.js';
import { runCli, writeFiles, type CliResult } from './cli.js';
import { recordingProxy, type RecordingProxy } from './recording-proxy.js';
import { testWorkspace, type TestWorkspace } from './simulator.js';

/**
 * A read of `streams` through a loopback proxy that records every request line, against a
 * simulator without a rate limit (the tap at 100 requests/s): what the tap asks is observed from
 * outside. `config` is added to the workspace's config (it may use the simulator's clock).
 */
export async function proxiedRead(
  simulator: SimulatorOptions,
  config: (ws: TestWorkspace) => Record<string, unknown>,
  streams: Record<string, SyncMode>,
): Promise<{ ws: TestWorkspace; proxy: RecordingProxy; result: CliResult }> {
  const ws = await testWorkspace({ scale: 'small', rateLimit: 0, ...simulator });
  const proxy = await recordingProxy(ws.sim.url);
  const { 'c.json': configPath } = writeFiles({ 'c.json': { ...ws.config, base_url: proxy.url, requests_per_second: 100, ...config(ws) } });
  const { 'k.json': catalog } = writeFiles({ 'k.json': await configuredCatalog(configPath as string, streams) });
  proxy.requests.length = 0;
  const result = await runCli(['read', '--config', configPath as string, '--catalog', catalog as string], { timeoutMs: 50_000 });
  return { ws, proxy, result };
}
