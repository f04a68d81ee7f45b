import { PassThrough } from 'node:stream';
import type { Clock } from '../../src/clock.js';
import { main } from '../../src/main.js';

/**
 * Runs the tap's main() in this process with its own stdout and stderr, both regions pointed at
 * `host` (a config that loses base_url still reaches only the simulator): for tests that need an
 * injected clock or many quick runs.
 */
export async function runInProcess(argv: string[], options: { host: string; clock: Clock }): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const hosts = { us: options.host, eu: options.host };
  const code = await main(argv, { stdout, stderr, clock: options.clock, hosts, env: {}, handleSignals: false });
  return { code, stdout: out, stderr: err };
}
