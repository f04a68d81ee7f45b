#!/usr/bin/env node
// 5. Cost of a change, before and after: the same messages read (Airbyte mode, no rate limit, no
// latency, as in cpu-memory) by another build of the tap, BASE_CLI (for instance the committed
// HEAD, built in a git worktree), and by this one, dist/cli.js, against one simulator (this
// checkout's). Runs alternate base/current, then current/base, so the noise of a shared machine
// falls on both alike. Reports records per CPU second of each and current ÷ base.
// Usage: BASE_CLI=/tmp/bench-base/dist/cli.js [RUNS=3] [DAYS=300] node bench/conform.mjs
import { existsSync, statSync } from 'node:fs';
import { catalogFor, KEY, median, report, runCounting, simNow, spawnSimulator, tapOf, writeJson } from './lib.mjs';

const base = process.env.BASE_CLI;
if (!base) {
  console.log('\nconform: skipped (set BASE_CLI to the dist/cli.js of the build to compare against; see bench/README.md)\n');
  process.exit(0);
}
if (!existsSync(base)) throw new Error(`BASE_CLI ${base} does not exist: build that checkout first`);

const runs = Number(process.env.RUNS ?? 3);
const days = Number(process.env.DAYS ?? 300); // the large simulator creates ~3,300 messages a day
const sim = await spawnSimulator(['--scale', 'large', '--rate-limit', '0']);
const now = simNow();
const config = writeJson({ app_api_key: KEY, base_url: sim.url, requests_per_second: 100, start_date: new Date((now - days * 86_400) * 1000).toISOString() });
// Each build reads with the catalog its own discover prints.
const variants = [
  { name: 'base', cli: base },
  { name: 'current', cli: 'dist/cli.js' },
].map((v) => ({ ...v, args: [...tapOf(v.cli), 'read', '--config', config, '--catalog', catalogFor(config, ['messages'], { cli: v.cli })], runs: [] }));

for (let run = 0; run < runs; run++) {
  for (const v of run % 2 === 0 ? variants : [...variants].reverse()) {
    const tap = await runCounting(v.args);
    if (tap.code !== 0 || tap.cpuSeconds === undefined) throw new Error(`${v.name} read failed: ${tap.stderr}`);
    v.runs.push({
      lines: tap.lines,
      cpuSeconds: tap.cpuSeconds,
      seconds: Number(tap.seconds.toFixed(1)),
      recordsPerCpuSecond: Math.round(tap.lines / tap.cpuSeconds),
      peakRssMb: tap.peakRssMb,
    });
  }
}
await sim.close();

const results = { days, runs };
const rows = [];
for (const v of variants) {
  const r = {
    cli: v.cli,
    builtAt: statSync(v.cli).mtime.toISOString(), // a rebuild during the runs would show here
    records: median(v.runs.map((x) => x.lines)),
    cpuSeconds: Number(median(v.runs.map((x) => x.cpuSeconds)).toFixed(2)),
    recordsPerCpuSecond: Math.round(median(v.runs.map((x) => x.recordsPerCpuSecond))),
    recordsPerSecond: Math.round(median(v.runs.map((x) => x.lines / x.seconds))),
    peakRssMb: Math.round(median(v.runs.map((x) => x.peakRssMb))),
    perRun: v.runs,
  };
  results[v.name] = r;
  rows.push({
    tap: v.name,
    records: r.records,
    'tap CPU s (median)': r.cpuSeconds,
    'records/CPU s (median)': r.recordsPerCpuSecond,
    'records/s (wall)': r.recordsPerSecond,
    'peak RSS MB': r.peakRssMb,
    'records/CPU s per run': v.runs.map((x) => x.recordsPerCpuSecond).join(' '),
  });
}
results.currentOverBase = Number((results.current.recordsPerCpuSecond / results.base.recordsPerCpuSecond).toFixed(3));
rows.push({
  tap: 'current ÷ base',
  records: '',
  'tap CPU s (median)': '',
  'records/CPU s (median)': results.currentOverBase,
  'records/s (wall)': '',
  'peak RSS MB': '',
  'records/CPU s per run': '',
});
report('conform', results, rows);
