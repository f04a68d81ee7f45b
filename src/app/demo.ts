import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../config.js';
import { allSelections } from '../engine/catalog.js';
import type { Scale } from 'customerio-simulator/spawn';
import { ALL_STREAMS } from '../streams/index.js';
import { executeRead, type ReadSummary } from './read.js';
import type { Runtime } from './runtime.js';
import { Session, type Protocol } from './session.js';
import { simulatorMissing } from './missing-package.js';

export interface DemoOptions {
  scale: Scale;
  seed: number;
  protocol: Protocol;
  output?: string;
  /** The simulator's clock, unix seconds (default: an hour ago). */
  now?: number;
}

/**
 * A full sync of every stream against a simulator started here: the protocol output goes to a
 * file, and a per-stream summary is printed for the person watching.
 */
export async function demoCommand(runtime: Runtime, options: DemoOptions): Promise<number> {
  // Loaded here, not at the top: the published tap has no simulator (missing-package.ts). The
  // light entry: the simulator runs in a child process, its server need not load in this one.
  const { spawnSimulator, DEMO_API_KEY } = await import('customerio-simulator/spawn').catch(simulatorMissing);
  const clock = options.now === undefined ? [] : ['--now', String(options.now)];
  const simulator = await spawnSimulator(['--scale', options.scale, '--seed', String(options.seed), ...clock]);
  const outputPath = options.output ?? join(tmpdir(), `tap-customerio-demo-${process.pid}.jsonl`);
  const file = createWriteStream(outputPath);
  try {
    const session = new Session(options.protocol, { ...runtime, stdout: file });
    const config = validateConfig({ app_api_key: DEMO_API_KEY, base_url: simulator.url }, 'demo config');
    session.redactor.add(config.app_api_key);
    runtime.stderr.write(
      `Simulator (${options.scale}, seed ${options.seed}) at ${simulator.url}; syncing all ${ALL_STREAMS.length} streams at ${config.requests_per_second} requests/s…\n`,
    );
    const summary = await executeRead(session, { config, selections: allSelections(ALL_STREAMS), state: {} }, new AbortController());
    await session.output.end();
    await new Promise<void>((resolve) => file.end(resolve));
    const served = await simulator.stats();
    runtime.stdout.write(formatSummary(summary, outputPath, options.protocol, served.rateLimited));
    return summary.error ? 1 : 0;
  } finally {
    await simulator.close();
  }
}

function formatSummary(summary: ReadSummary, outputPath: string, protocol: Protocol, served429: number): string {
  const rows = Object.entries(summary.streams).map(([name, s]) => [name, String(s.records), String(s.states), s.status]);
  const header = ['stream', 'records', 'states', 'status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]): string => cells.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const total = Object.values(summary.streams).reduce((sum, s) => sum + s.records, 0);
  return [
    format(header),
    format(widths.map((w) => '-'.repeat(w))),
    ...rows.map(format),
    '',
    `${total} records in ${(summary.durationMs / 1000).toFixed(1)} s; ${summary.http.requests} requests at ${summary.requestsPerSecond.toFixed(2)}/s ` +
      `(${Math.round(summary.budgetUsed * 100)}% of the budget), ${served429} answered 429.`,
    `${protocol === 'airbyte' ? 'Airbyte' : 'Singer'} messages written to ${outputPath}`,
    ...summary.failed.map((name) => `FAILED ${name}: ${summary.streams[name]?.error ?? ''}`),
    '',
  ].join('\n');
}
