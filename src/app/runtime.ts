import type { Writable } from 'node:stream';
import { systemClock, type Clock } from '../clock.js';
import { REGION_HOSTS, type RegionHosts } from '../http/region.js';

/** The outside world an app command touches, so tests can run commands in-process. */
export interface Runtime {
  stdout: Writable;
  stderr: Writable;
  clock: Clock;
  hosts: RegionHosts;
  env: NodeJS.ProcessEnv;
  /** SIGTERM/SIGINT stop a read (the real process); commands run in tests leave signals alone. */
  handleSignals: boolean;
}

export function processRuntime(): Runtime {
  return { stdout: process.stdout, stderr: process.stderr, clock: systemClock, hosts: REGION_HOSTS, env: process.env, handleSignals: true };
}
