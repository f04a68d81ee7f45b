#!/usr/bin/env node
// 2-4. CPU cost per record, memory and growth: messages reads of 10k, 100k and 1M records from a
// simulator without rate limit or latency, in Airbyte mode to a consumer that counts lines,
// beside the floor program (bench/floor.mjs) fetching the same pages; a people read of 200k;
// and a 100k read to a consumer that reads slowly.
import { catalogFor, KEY, NODE_FLAGS, TAP, median, report, runCounting, simNow, spawnSimulator, writeJson } from './lib.mjs';

const runs = Number(process.env.RUNS ?? 3);
const DAY = 86_400;
// The large simulator creates ~3,300 messages a day.
const sizes = [
  { label: '10k', days: 3 },
  { label: '100k', days: 30 },
  { label: '1M', days: 300 },
];

const sim = await spawnSimulator(['--scale', 'large', '--rate-limit', '0']);
const now = simNow();
const rows = [];
const results = {};
for (const size of sizes) {
  const start = now - size.days * DAY;
  const config = writeJson({ app_api_key: KEY, base_url: sim.url, requests_per_second: 100, start_date: new Date(start * 1000).toISOString() });
  const catalog = catalogFor(config, ['messages']);
  const taps = [];
  const floors = [];
  for (let run = 0; run < runs; run++) {
    await sim.resetStats();
    taps.push({ ...(await runCounting([...TAP, 'read', '--config', config, '--catalog', catalog])), requests: (await sim.stats()).requests });
    floors.push(await runCounting([...NODE_FLAGS, 'bench/floor.mjs', sim.url, KEY, String(start), String(now + 3600), '30', '3']));
  }
  const records = median(taps.map((t) => t.lines));
  const tapRate = median(taps.map((t) => t.lines / t.seconds));
  const floorRate = median(floors.map((f) => f.lines / f.seconds));
  const tapCpu = median(taps.map((t) => t.cpuSeconds));
  const floorCpu = median(floors.map((f) => f.cpuSeconds));
  results[size.label] = {
    records,
    recordsPerSecond: Math.round(tapRate),
    requestsPerSecond: Number(median(taps.map((t) => t.requests / t.seconds)).toFixed(1)),
    tapCpuSeconds: tapCpu,
    floorCpuSeconds: Number(floorCpu.toFixed(2)),
    floorRecordsPerSecond: Math.round(floorRate),
    tapOverFloorCpu: Number((floorCpu / tapCpu).toFixed(2)),
    tapOverFloorWall: Number((tapRate / floorRate).toFixed(2)),
    recordsPerCpuSecond: Math.round(records / tapCpu),
    peakRssMb: median(taps.map((t) => t.peakRssMb)),
  };
  const r = results[size.label];
  rows.push({
    messages: size.label,
    'records/s': r.recordsPerSecond,
    'requests/s': r.requestsPerSecond,
    'tap CPU s': r.tapCpuSeconds,
    'floor CPU s': r.floorCpuSeconds,
    'tap/floor (CPU)': r.tapOverFloorCpu,
    'tap/floor (wall)': r.tapOverFloorWall,
    'records/CPU s': r.recordsPerCpuSecond,
    'peak RSS MB': r.peakRssMb,
  });
}

// What one core spends on JSON alone: JSON.parse of a real page of 1,000 messages and one
// envelope JSON.stringify per record, in a loop with no I/O. Its inverse bounds records/s for any
// JavaScript tap on this machine, before HTTP, decoding, writing or garbage collection.
// Like the API, the simulator answers an empty page (messages null, with a next) at some positions
// of the list: follow next to the first page with records.
let pageText;
for (let token; ;) {
  const query = new URLSearchParams({ limit: '1000', start_ts: String(now - 3 * DAY), end_ts: String(now) });
  if (token) query.set('start', token);
  pageText = await (await fetch(`${sim.url}/v1/messages?${query}`, { headers: { authorization: `Bearer ${KEY}` } })).text();
  const page = JSON.parse(pageText);
  if (page.messages?.length > 0 || !page.next) break;
  token = page.next;
}
const jsonRuns = [];
for (let run = 0; run < runs; run++) {
  const started = process.cpuUsage();
  let count = 0;
  for (let i = 0; i < 200; i++) {
    for (const record of JSON.parse(pageText).messages) {
      JSON.stringify({ type: 'RECORD', record: { stream: 'messages', data: record, emitted_at: 0 } });
      count++;
    }
  }
  const used = process.cpuUsage(started);
  jsonRuns.push((used.user + used.system) / count);
}
results.jsonOnly = { microsecondsPerRecord: Number(median(jsonRuns).toFixed(2)), recordsPerCpuSecond: Math.round(1e6 / median(jsonRuns)) };
rows.push({
  messages: 'JSON only, one core',
  'records/s': '',
  'requests/s': '',
  'tap CPU s': '',
  'floor CPU s': '',
  'tap/floor (CPU)': '',
  'tap/floor (wall)': '',
  'records/CPU s': results.jsonOnly.recordsPerCpuSecond,
  'peak RSS MB': '',
});

// 200k people, and 100k messages to a consumer that pauses 20 ms per chunk it reads.
const peopleSim = await spawnSimulator(['--scale', 'large', '--rate-limit', '0']);
const peopleConfig = writeJson({ app_api_key: KEY, base_url: peopleSim.url, requests_per_second: 100 });
const people = await runCounting([...TAP, 'read', '--config', peopleConfig, '--catalog', catalogFor(peopleConfig, ['people'])]);
await peopleSim.close();
const slowConfig = writeJson({ app_api_key: KEY, base_url: sim.url, requests_per_second: 100, start_date: new Date((now - 30 * DAY) * 1000).toISOString() });
const slow = await runCounting([...TAP, 'read', '--config', slowConfig, '--catalog', catalogFor(slowConfig, ['messages'])], { slowMs: 20 });
await sim.close();
results.people200k = { records: people.lines, seconds: Number(people.seconds.toFixed(1)), peakRssMb: people.peakRssMb, cpuSeconds: people.cpuSeconds };
results.slowConsumer100k = { records: slow.lines, seconds: Number(slow.seconds.toFixed(1)), peakRssMb: slow.peakRssMb };
rows.push({
  messages: 'people 200k',
  'records/s': Math.round(people.lines / people.seconds),
  'requests/s': '',
  'tap CPU s': people.cpuSeconds,
  'floor CPU s': '',
  'tap/floor (CPU)': '',
  'tap/floor (wall)': '',
  'records/CPU s': Math.round(people.lines / people.cpuSeconds),
  'peak RSS MB': people.peakRssMb,
});
rows.push({
  messages: '100k, slow reader',
  'records/s': Math.round(slow.lines / slow.seconds),
  'requests/s': '',
  'tap CPU s': '',
  'floor CPU s': '',
  'tap/floor (CPU)': '',
  'tap/floor (wall)': '',
  'records/CPU s': '',
  'peak RSS MB': slow.peakRssMb,
});
report('cpu-memory-growth', results, rows);
