import { DEMO_API_KEY, startSimulator, type Scale } from '../simulator/index.js';
import type { Runtime } from './runtime.js';

export interface SimulateOptions {
  host: string;
  port: number;
  seed: number;
  scale: Scale;
  rateLimit: number;
  retryAfter: boolean;
  latencyMs: number;
  people?: number;
  campaigns?: number;
  now?: number;
}

/** Runs the Customer.io simulator in the foreground until SIGINT/SIGTERM. */
export async function simulateCommand(runtime: Runtime, options: SimulateOptions): Promise<number> {
  const simulator = await startSimulator({
    host: options.host,
    port: options.port,
    seed: options.seed,
    scale: options.scale,
    rateLimit: options.rateLimit,
    retryAfter: options.retryAfter,
    latencyMs: options.latencyMs,
    ...(options.now !== undefined ? { now: options.now } : {}),
    sizes: { ...(options.people ? { people: options.people } : {}), ...(options.campaigns ? { campaigns: options.campaigns } : {}) },
  });
  const config = { app_api_key: DEMO_API_KEY, base_url: simulator.url };
  runtime.stdout.write(`${JSON.stringify({ url: simulator.url, scale: options.scale, seed: options.seed, config })}\n`);
  runtime.stderr.write(
    `Customer.io simulator (${options.scale}, seed ${options.seed}) listening on ${simulator.url}\n` +
      `Use this config: ${JSON.stringify(config)}\nControl: GET ${simulator.url}/__sim/stats, POST ${simulator.url}/__sim/advance?seconds=N. Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
  return 0;
}
