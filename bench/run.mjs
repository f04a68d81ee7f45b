#!/usr/bin/env node
// npm run bench: every benchmark in turn (RUNS=3 by default; BENCH=budget|cpu|conform|kill to pick one).
// conform compares against another build and runs only when BASE_CLI names its dist/cli.js.
import { spawnSync } from 'node:child_process';

const pick = process.env.BENCH;
for (const [name, file] of [
  ['budget', 'bench/budget.mjs'],
  ['cpu', 'bench/cpu-memory.mjs'],
  ['conform', 'bench/conform.mjs'],
  ['kill', 'bench/kill-resume.mjs'],
  ['people', 'bench/people-export.mjs'],
]) {
  if (pick && pick !== name) continue;
  const result = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
