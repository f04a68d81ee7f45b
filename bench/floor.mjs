#!/usr/bin/env node
// The irreducible work of a messages read, for comparison with the tap: fetch the pages with
// undici, JSON.parse each, JSON.stringify each record into the same Airbyte RECORD envelope,
// write to stdout. No engine, no state, no validation.
// Usage: node bench/floor.mjs BASE_URL KEY START_TS END_TS [WINDOW_DAYS] [CONCURRENCY]
import { Pool } from 'undici';

const [baseUrl, key, startArg, endArg, windowDaysArg = '30', concurrencyArg = '3'] = process.argv.slice(2);
const start = Number(startArg);
const end = Number(endArg);
const windowSeconds = Number(windowDaysArg) * 86_400;
const pool = new Pool(new URL(baseUrl).origin, { connections: 8 });
const headers = { authorization: `Bearer ${key}`, accept: 'application/json' };

let pending = '';
async function write(text) {
  pending += text;
  if (pending.length < 65_536) return;
  const chunk = pending;
  pending = '';
  if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
}

async function readWindow(a, b) {
  let token;
  for (;;) {
    const query = new URLSearchParams({ limit: '1000', start_ts: String(a), end_ts: String(b - 1) });
    if (token) query.set('start', token);
    const response = await pool.request({ path: `/v1/messages?${query}`, method: 'GET', headers });
    const body = JSON.parse(await response.body.text());
    const now = Date.now();
    let out = '';
    for (const record of body.messages ?? []) out += JSON.stringify({ type: 'RECORD', record: { stream: 'messages', data: record, emitted_at: now } }) + '\n';
    await write(out);
    token = body.next;
    if (!token) return;
  }
}

const windows = [];
for (let a = start; a < end; a += windowSeconds) windows.push([a, Math.min(end, a + windowSeconds)]);
let next = 0;
await Promise.all(
  Array.from({ length: Number(concurrencyArg) }, async () => {
    while (next < windows.length) {
      const [a, b] = windows[next++];
      await readWindow(a, b);
    }
  }),
);
process.stdout.write(pending);
await pool.close();
const cpu = process.cpuUsage();
process.stderr.write(`${JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
