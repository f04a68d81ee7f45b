#!/usr/bin/env node
// 1. Budget use at the real limit: a simulator that allows 10 requests/s and answers after 250 ms;
// the tap reads one stream at requests_per_second 10. Achieved requests/s ÷ 10, and 429s.
import { catalogFor, KEY, TAP, median, report, runCounting, simNow, spawnSimulator, writeJson } from './lib.mjs';

const runs = Number(process.env.RUNS ?? 3);
const cases = [
  // Many pages, several time windows at once.
  { stream: 'messages', scale: 'large', days: 60 },
  // The same 60 days in full refresh: explicit time windows too, only no bookmark.
  { stream: 'messages', key: 'messagesFullRefresh', label: 'messages (full refresh)', mode: 'full_refresh', scale: 'large', days: 60 },
  // Search pages, then hydrate batches of 100 several at a time.
  { stream: 'people', scale: 'medium', extra: ['--people', '20000'] },
  // Many small pages: 10 actions per page, one chain per campaign.
  { stream: 'campaigns_actions', scale: 'large' },
];

// CASES=messages,messagesFullRefresh runs only those rows (keys of the JSON line).
const only = process.env.CASES?.split(',');
const rows = [];
const results = {};
for (const c of cases) {
  if (only && !only.includes(c.key ?? c.stream)) continue;
  const ratios = [];
  const rateLimited = [];
  const requests = [];
  const lines = [];
  for (let run = 0; run < runs; run++) {
    const sim = await spawnSimulator(['--scale', c.scale, '--rate-limit', '10', '--latency-ms', '250', ...(c.extra ?? [])]);
    const config = writeJson({
      app_api_key: KEY,
      base_url: sim.url,
      requests_per_second: 10,
      ...(c.days ? { start_date: new Date((simNow() - c.days * 86_400) * 1000).toISOString() } : {}),
    });
    const catalog = catalogFor(config, [c.stream], { mode: c.mode });
    await sim.resetStats();
    const tap = await runCounting([...TAP, 'read', '--config', config, '--catalog', catalog]);
    const stats = await sim.stats();
    await sim.close();
    if (tap.code !== 0) throw new Error(`${c.label ?? c.stream} read failed: ${tap.stderr}`);
    const seconds = (stats.lastAt - stats.firstAt) / 1000;
    ratios.push((stats.requests - 1) / seconds / 10);
    rateLimited.push(stats.rateLimited);
    requests.push(stats.requests);
    lines.push(tap.lines);
  }
  results[c.key ?? c.stream] = {
    budgetUsed: Number(median(ratios).toFixed(3)),
    rateLimited: Math.max(...rateLimited),
    requests: median(requests),
    outputLines: median(lines),
    runs,
  };
  rows.push({
    stream: c.label ?? c.stream,
    scale: c.scale,
    requests: median(requests),
    'budget used (median)': median(ratios).toFixed(3),
    '429s (max)': Math.max(...rateLimited),
    target: '>= 0.95, 0',
  });
}
report('budget', results, rows);
