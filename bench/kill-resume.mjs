#!/usr/bin/env node
// 4. What a killed read costs: a messages read of the large workspace (about 230,000 deliveries
// over 70 days), SIGKILLed once half its records are out, restarted from its last STATE. How
// many records the restart reads again, against what the killed read had committed; and the
// union of both runs against the simulator's ground truth.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startSimulator } from 'customerio-simulator';
import { catalogFor, KEY, TAP, median, report, spawnSimulator, writeJson } from './lib.mjs';

const runs = Number(process.env.RUNS ?? 3);
const DAY = 86_400;
const DAYS = Number(process.env.DAYS ?? 70);
const LOOKBACK_DAYS = 30; // the default messages_lookback_days
const iso = (t) => new Date(t * 1000).toISOString();

/**
 * Runs the tap, parsing its stdout: every RECORD's id and created, and where each STATE came.
 * `killAfter` SIGKILLs it once that many records are out.
 */
function runTap(config, catalog, state, killAfter) {
  const args = [...TAP, 'read', '--config', config, '--catalog', catalog, ...(state ? ['--state', writeJson(state)] : [])];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ids = [];
    const created = [];
    let lastState; // the last STATE message's `state`
    let committed = 0; // records before the last STATE
    let killed = false;
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        return; // a line cut by the kill
      }
      if (message.type === 'RECORD' && message.record.stream === 'messages') {
        ids.push(message.record.data.id);
        created.push(message.record.data.created);
        if (!killed && killAfter !== undefined && ids.length >= killAfter) {
          killed = true;
          child.kill('SIGKILL');
        }
      } else if (message.type === 'STATE' && !killed) {
        lastState = message.state;
        committed = ids.length;
      }
    });
    child.on('close', (code, signal) => {
      resolve({ code, signal, ids, created, committed, lastState, seconds: (performance.now() - started) / 1000, stderr });
    });
  });
}

/**
 * One scenario: an optional complete read first (`before`), then a read killed after half its
 * records, then the restart from the killed read's last STATE.
 */
async function scenario({ seed, before }) {
  const now = Math.floor(Date.now() / 1000) - 3600;
  const simArgs = ['--scale', 'large', '--seed', String(seed), '--now', String(now), '--rate-limit', '0', '--latency-ms', '0'];
  const sim = await spawnSimulator(simArgs);
  const truthSim = await startSimulator({ scale: 'large', seed, now, rateLimit: 0 });
  try {
    const start = now - DAYS * DAY;
    const configOf = (extra = {}) => writeJson({ app_api_key: KEY, base_url: sim.url, requests_per_second: 100, start_date: iso(start), ...extra });
    const config = configOf();
    const catalog = catalogFor(config, ['messages']);
    let state;
    let high;
    let firstIds = [];
    if (before) {
      const first = await runTap(before.endDate ? configOf({ end_date: iso(now - before.endDate * DAY) }) : config, catalog);
      if (first.code !== 0) throw new Error(`the complete read failed: ${first.stderr}`);
      firstIds = first.ids;
      state = [first.lastState];
      high = first.lastState.stream.stream_state.high;
    }
    // Half the records the interrupted read has to read: the whole range, or from high − lookback.
    const readFrom = high === undefined ? start : high - LOOKBACK_DAYS * DAY;
    const toRead = truthSim.truth.messageCount(readFrom, now);
    const killed = await runTap(config, catalog, state, Math.round(toRead / 2));
    if (killed.signal !== 'SIGKILL') throw new Error(`the read was not killed (exit ${killed.code}): ${killed.stderr}`);
    if (!killed.lastState) throw new Error('no STATE before the kill');
    const resumed = await runTap(config, catalog, [killed.lastState]);
    if (resumed.code !== 0) throw new Error(`the restart failed: ${resumed.stderr}`);

    // Re-read: records of the restart that the killed read had emitted, split by whether they
    // came before its last STATE (committed) and by where they lie.
    const emitted = new Map(killed.ids.map((id, i) => [id, i]));
    let reread = 0;
    let rereadCommitted = 0;
    let rereadLookback = 0;
    let rereadAboveHigh = 0;
    resumed.ids.forEach((id, i) => {
      const at = emitted.get(id);
      if (at === undefined) return;
      reread++;
      if (at < killed.committed) rereadCommitted++;
      const t = resumed.created[i];
      if (high !== undefined && t >= high - LOOKBACK_DAYS * DAY && t < high) rereadLookback++;
      if (high !== undefined && t >= high) rereadAboveHigh++;
    });
    // Nothing lost: committed before the kill + restart (+ the complete read before) = the truth.
    const expected = truthSim.truth.messageIds(start, now);
    const got = new Set([...firstIds, ...killed.ids.slice(0, killed.committed), ...resumed.ids]);
    const truthSet = new Set(expected);
    const missing = expected.filter((id) => !got.has(id)).length;
    const extra = [...new Set([...firstIds, ...killed.ids, ...resumed.ids])].filter((id) => !truthSet.has(id)).length;
    return {
      toRead,
      emittedBeforeKill: killed.ids.length,
      committed: killed.committed,
      resumed: resumed.ids.length,
      reread,
      rereadCommitted,
      rereadLookback,
      rereadAboveHigh,
      ratio: reread / killed.committed,
      ratioEmitted: reread / killed.ids.length,
      missing,
      extra,
      unionEqualsTruth: missing === 0 && extra === 0,
      stateIntervals: killed.lastState.stream.stream_state.done.length,
      seconds: { killed: killed.seconds, resumed: resumed.seconds },
    };
  } finally {
    await sim.close();
    await truthSim.close();
  }
}

const scenarios = [
  { key: 'firstRead', label: `first read (${DAYS} days), lookback ${LOOKBACK_DAYS} d` },
  { key: 'incremental', label: 'incremental after a complete read', before: {} },
  // A complete read up to end_date 40 days back (a backfill), then the incremental read of the
  // last 70 days: the killed read finishes windows above `high`, which a restart reads again.
  { key: 'afterBackfill', label: 'incremental after a backfill to 40 days ago', before: { endDate: 40 } },
];
const only = process.env.CASES?.split(',');
const results = {};
const rows = [];
for (const s of scenarios) {
  if (only && !only.includes(s.key)) continue;
  const all = [];
  for (let run = 0; run < runs; run++) all.push(await scenario({ seed: run + 1, before: s.before }));
  const med = (key) => median(all.map((r) => r[key]));
  results[s.key] = {
    ratio: Number(med('ratio').toFixed(3)),
    ratioEmitted: Number(med('ratioEmitted').toFixed(3)),
    committed: med('committed'),
    reread: med('reread'),
    unionEqualsTruth: all.every((r) => r.unionEqualsTruth),
    perRun: all,
  };
  rows.push({
    read: s.label,
    'records to read': med('toRead'),
    'committed before kill': med('committed'),
    're-read': med('reread'),
    'of them committed': med('rereadCommitted'),
    'in lookback / above high': s.before ? `${med('rereadLookback')} / ${med('rereadAboveHigh')}` : '-',
    're-read ÷ committed': `${med('ratio').toFixed(3)} (${all.map((r) => r.ratio.toFixed(3)).join(' ')})`,
    're-read ÷ emitted': med('ratioEmitted').toFixed(3),
    'union = truth': all.every((r) => r.unionEqualsTruth)
      ? `yes (${runs}/${runs})`
      : `NO (${all.map((r) => `${r.missing} missing, ${r.extra} extra`).join('; ')})`,
  });
}
report('kill-resume', results, rows);
