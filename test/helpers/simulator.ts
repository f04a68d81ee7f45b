import { startSimulator, type Simulator, type SimulatorOptions } from 'customerio-simulator';
import { TEST_KEY, writeFiles } from './cli.js';

export interface TestWorkspace {
  sim: Simulator;
  configPath: string;
  config: Record<string, unknown>;
  close(): Promise<void>;
}

/** A simulator that accepts the test key, and a config file pointing the tap at it. */
export async function testWorkspace(options: SimulatorOptions = {}, extraConfig: Record<string, unknown> = {}): Promise<TestWorkspace> {
  const sim = await startSimulator({ apiKeys: [TEST_KEY], ...options });
  const config = { app_api_key: TEST_KEY, base_url: sim.url, ...extraConfig };
  const { 'config.json': configPath } = writeFiles({ 'config.json': config });
  return { sim, configPath: configPath as string, config, close: () => sim.close() };
}
