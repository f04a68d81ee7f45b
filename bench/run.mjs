#!/usr/bin/env node
// npm run bench: every benchmark in turn (RUNS=3 by default; BENCH=budget|cpu to pick one).
import { spawnSync } from 'node:child_process';

const pick = process.env.BENCH;
for (const [name, file] of [
  ['budget', 'bench/budget.mjs'],
  ['cpu', 'bench/cpu-memory.mjs'],
]) {
  if (pick && pick !== name) continue;
  const result = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
