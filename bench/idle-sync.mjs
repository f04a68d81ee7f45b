// What a sync costs against what changed: a first sync of every stream (incremental where the
// stream offers it), an idle sync right after it, and a sync after a small change (N people
// changed, M objects changed), each counted in requests (by the simulator) and records (by
// stream, and those of the streams read incrementally), for this build and for a baseline build
// given as BASELINE=<checkout>/dist/cli.js, against the same workspace.
// Usage: node bench/idle-sync.mjs [--scale medium] [--people-changes 50] [--object-changes 20]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { catalogFor, KEY, report, spawnSimulator, tapOf, writeJson } from './lib.mjs';

const { values: args } = parseArgs({ options: { scale: { type: 'string' }, 'people-changes': { type: 'string' }, 'object-changes': { type: 'string' } } });
const scale = args.scale ?? 'medium';
const changes = Number(args['people-changes'] ?? 50);
const objectChanges = Number(args['object-changes'] ?? 20);
// A pinned workspace clock, a few minutes behind the real one: both builds read the same
// records, and the tap's bookmarks (its own clock) come after them.
const NOW = Math.floor(Date.now() / 1000) - 300;
const realNow = () => Math.floor(Date.now() / 1000);

/** Moves the workspace clock to a second behind the real one: changes made then are dated after the last sync began. */
async function clockToRealTime(sim) {
  const post = (seconds) => fetch(`${sim.url}/__sim/advance?seconds=${seconds}`, { method: 'POST' }).then((r) => r.json());
  const { now } = await post(0);
  return post(Math.max(0, realNow() - 1 - now));
}

/** Runs one read; returns its records per stream and its last STATE per stream (Airbyte). */
function read(cli, config, catalog, state) {
  return new Promise((resolve, reject) => {
    const argv = [...tapOf(cli), 'read', '--config', config, '--catalog', catalog, ...(state ? ['--state', writeJson(state)] : [])];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const records = {};
    const states = new Map();
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.startsWith('{"type":"RECORD"')) {
          const stream = /"stream":"([^"]+)"/.exec(line)?.[1];
          records[stream] = (records[stream] ?? 0) + 1;
        } else if (line.startsWith('{"type":"STATE"')) {
          const state = JSON.parse(line).state;
          states.set(state.stream.stream_descriptor.name, state);
        }
      }
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) =>
      code === 0 ? resolve({ records, states: [...states.values()] }) : reject(new Error(`${cli} exited ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

/** Requests by endpoint family, from the simulator's own counts. */
function family(route) {
  return route
    .replace(/^(GET|POST) /, '')
    .replace(/\/v1\//, '')
    .replace(/\{[^}]+\}/g, '*')
    .replace(/\/\d+/g, '/*');
}

async function measure(label, cli) {
  const sim = await spawnSimulator(['--scale', scale, '--seed', '1', '--now', String(NOW), '--rate-limit', '0']);
  try {
    const config = writeJson({ app_api_key: KEY, base_url: sim.url, requests_per_second: 100 });
    const discovered = await new Promise((resolve) => {
      const c = spawn(process.execPath, [cli, 'discover', '--config', config]);
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => resolve(out));
    });
    const offered = JSON.parse(discovered.split('\n').find((l) => l.includes('"CATALOG"'))).catalog.streams;
    const streams = offered.map((s) => s.name);
    const incremental = new Set(offered.filter((s) => s.supported_sync_modes.includes('incremental')).map((s) => s.name));
    const catalog = catalogFor(config, streams, { cli });
    const rows = [];
    let state;
    for (const step of ['first', 'idle', 'changed']) {
      if (step === 'changed') {
        await clockToRealTime(sim);
        await sim.changePeople({ counts: { attribute_change: changes } });
        await sim.changeObjects({ counts: { attribute_change: objectChanges } });
      }
      const before = await sim.stats();
      const result = await read(cli, config, catalog, state);
      const after = await sim.stats();
      state = state ? mergeStates(state, result.states) : result.states;
      const byFamily = {};
      for (const [route, n] of Object.entries(after.byPath)) {
        const delta = n - (before.byPath[route] ?? 0);
        if (delta > 0) byFamily[family(route)] = (byFamily[family(route)] ?? 0) + delta;
      }
      const records = Object.values(result.records).reduce((a, b) => a + b, 0);
      const incrementalRecords = Object.entries(result.records).reduce((a, [stream, n]) => a + (incremental.has(stream) ? n : 0), 0);
      rows.push({
        build: label,
        sync: step,
        requests: after.requests - before.requests,
        records,
        incrementalRecords,
        top: top(byFamily),
        recordsTop: top(result.records),
      });
    }
    return rows;
  } finally {
    await sim.close();
  }
}

function mergeStates(previous, latest) {
  const byStream = new Map(previous.map((s) => [s.stream.stream_descriptor.name, s]));
  for (const s of latest) byStream.set(s.stream.stream_descriptor.name, s);
  return [...byStream.values()];
}

function top(counts) {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
}

const rows = [];
if (process.env.BASELINE) rows.push(...(await measure('baseline', process.env.BASELINE)));
rows.push(...(await measure('this build', 'dist/cli.js')));
const ratio = (build) => {
  const first = rows.find((r) => r.build === build && r.sync === 'first');
  const idle = rows.find((r) => r.build === build && r.sync === 'idle');
  return first && idle
    ? {
        build,
        idleRequestsShare: (idle.requests / first.requests).toFixed(3),
        idleRecordsShare: (idle.records / first.records).toFixed(3),
        idleIncrementalRecordsShare: (idle.incrementalRecords / first.incrementalRecords).toFixed(3),
      }
    : undefined;
};
report(
  'idle-sync',
  { scale, changes, objectChanges, ratios: [ratio('baseline'), ratio('this build')].filter(Boolean) },
  rows.map(({ top: t, recordsTop: r, ...rest }) => ({ ...rest, 'requests by family (top 5)': t, 'records by stream (top 5)': r })),
);
