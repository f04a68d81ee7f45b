// Shared helpers of the benchmarks: a simulator in its own process, the tap as a child
// process, and small statistics. Everything measured is read from the processes themselves.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSimulator } from 'customerio-simulator';

export const KEY = 'sim-demo-app-api-key';
const dir = mkdtempSync(join(tmpdir(), 'tap-bench-'));
let files = 0;

export { spawnSimulator };

/** The node flags on a tap executable's first line: the executable and Docker image run with them. */
export function nodeFlagsOf(cli) {
  return readFileSync(cli, 'utf8')
    .split('\n')[0]
    .split(/\s+/)
    .filter((part) => part.startsWith('--'));
}
/** The node arguments that run a tap executable (dist/cli.js of this or another checkout) as it runs itself. */
export function tapOf(cli) {
  return [...nodeFlagsOf(cli), cli];
}
export const NODE_FLAGS = nodeFlagsOf('dist/cli.js');
export const TAP = tapOf('dist/cli.js');

export function writeJson(value) {
  const path = join(dir, `f${files++}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The workspace clock of a simulator started now: an hour behind wall time. */
export function simNow() {
  return Math.floor(Date.now() / 1000) - 3600;
}

/**
 * An Airbyte catalog of `streams`, from the discover of `cli` (another checkout's tap gets its own
 * catalog). Each stream reads incrementally when it can, unless `mode` says 'full_refresh'.
 */
export function catalogFor(configPath, streams, { cli = 'dist/cli.js', mode } = {}) {
  const discovered = JSON.parse(execFileSync(process.execPath, [cli, 'discover', '--config', configPath]).toString()).catalog;
  const syncMode = (s) => mode ?? (s.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh');
  return writeJson({
    streams: discovered.streams.filter((s) => streams.includes(s.name)).map((s) => ({ stream: s, sync_mode: syncMode(s), destination_sync_mode: 'append' })),
  });
}

/**
 * Runs a command, counts its stdout lines without parsing them, samples its RSS every 50 ms,
 * and (for the tap) reads its own summary: CPU seconds and peak RSS from the final LOG line.
 * `slowMs` makes the consumer pause that long per chunk read, to test backpressure.
 */
export function runCounting(args, { slowMs = 0 } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let tail = '';
    let stderr = '';
    let sampledRss = 0;
    const sample = setInterval(() => {
      try {
        const status = execFileSync('cat', [`/proc/${child.pid}/status`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
        const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
        sampledRss = Math.max(sampledRss, rss);
      } catch {
        // exited
      }
    }, 50);
    child.stdout.on('data', (chunk) => {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      tail = (tail + chunk.toString('utf8', Math.max(0, chunk.length - 2000))).slice(-4000);
      if (slowMs > 0) {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), slowMs);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      clearInterval(sample);
      const seconds = (performance.now() - started) / 1000;
      const summary = /(\d+\.\d) CPU s, peak RSS (\d+) MB/.exec(tail);
      const floor = /\{"cpuSeconds":([\d.]+),"maxRssMb":(\d+)\}/.exec(stderr);
      resolve({
        code,
        lines,
        seconds,
        cpuSeconds: summary ? Number(summary[1]) : floor ? Number(floor[1]) : undefined,
        peakRssMb: summary ? Number(summary[2]) : floor ? Number(floor[2]) : Math.round(sampledRss),
        sampledRssMb: Math.round(sampledRss),
        stderr: stderr.slice(-2000),
      });
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function table(rows) {
  const keys = Object.keys(rows[0] ?? {});
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (values) => values.map((v, i) => String(v).padEnd(widths[i])).join('  ');
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => r[k])))].join('\n');
}

export function report(name, result, rows) {
  console.log(JSON.stringify({ bench: name, ...result }));
  console.log(`\n${name}\n${table(rows)}\n`);
}
