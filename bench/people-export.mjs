#!/usr/bin/env node
// 6. People in bulk: a million people read by search-then-hydrate (the baseline, the exact path)
// and by export (people_source: export), from the same simulator at the real limit of 10
// requests/s. Measures API requests, wall time and peak RSS, and checks both give the same set of
// cio_ids (hashed, in order). PEOPLE=… to change the size.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { catalogFor, KEY, report, spawnSimulator, TAP, writeJson } from './lib.mjs';

const people = Number(process.env.PEOPLE ?? 1_000_000);
const sim = await spawnSimulator(['--scale', 'small', '--people', String(people), '--rate-limit', '10']);

/** Runs the tap, keeps the cio_id of each RECORD (not the record) and the tap's own summary. */
function readPeople(config) {
  const catalog = catalogFor(config, ['people'], { mode: 'full_refresh' });
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...TAP, 'read', '--config', config, '--catalog', catalog], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ids = [];
    let rest = '';
    let summary = '';
    const warnings = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{"type":"RECORD"')) ids.push(/"cio_id":"([^"]+)"/.exec(line)?.[1]);
        else if (line.includes('"level":"WARN"')) warnings.push(line);
        else if (line.includes('peak RSS')) summary = line;
      }
    });
    child.stderr.resume();
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /peak RSS (\d+) MB/.exec(summary);
      const cpu = /(\d+\.\d) CPU s/.exec(summary);
      ids.sort();
      const hash = createHash('sha256');
      for (const id of ids) hash.update(`${id}\n`);
      resolve({
        code,
        seconds,
        records: ids.length,
        unique: new Set(ids).size,
        idsHash: hash.digest('hex').slice(0, 16),
        peakRssMb: rss ? Number(rss[1]) : undefined,
        cpuSeconds: cpu ? Number(cpu[1]) : undefined,
        warnings,
      });
    });
  });
}

const results = {};
for (const source of ['export', 'search']) {
  await sim.resetStats();
  const config = writeJson({ app_api_key: KEY, base_url: sim.url, people_source: source });
  const run = await readPeople(config);
  const stats = await sim.stats();
  results[source] = { ...run, requests: stats.requests, rateLimited: stats.rateLimited };
  if (run.code !== 0 || run.warnings.length > 0) console.error(source, run.code, run.warnings.slice(0, 3));
}
const downloads = await sim.downloadStats();
await sim.close();

const { export: fast, search: exact } = results;
report(
  'people-export',
  {
    people,
    export: fast,
    search: exact,
    fewerRequests: Number((exact.requests / fast.requests).toFixed(1)),
    fasterWall: Number((exact.seconds / fast.seconds).toFixed(1)),
    sameCioIds: fast.idsHash === exact.idsHash && fast.records === exact.records,
    downloadsWithAuthorization: downloads.withAuthorization,
  },
  ['search (baseline)', 'export'].map((label) => {
    const r = label === 'export' ? fast : exact;
    return {
      path: label,
      records: r.records,
      unique: r.unique,
      'API requests': r.requests,
      'rate-limited (429)': r.rateLimited,
      'wall s': Math.round(r.seconds),
      'CPU s': r.cpuSeconds,
      'peak RSS MB': r.peakRssMb,
      'cio_ids sha256': r.idsHash,
    };
  }),
);
