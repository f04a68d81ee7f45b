#!/usr/bin/env node
// The simulator as a program of its own: `customerio-simulator --port 0 --now 1795900000` (the
// package's bin). spawnSimulator (process.ts) starts it for `demo`, tests and benchmarks;
// `tap-customerio simulate` runs the same serveUntilSignal in the tap's process. This package
// imports nothing from the tap (test/architecture/simulator-fence.test.ts).
import { simulatorMain } from './serve.js';

const code = await simulatorMain(process.argv.slice(2), process.stdout, process.stderr);
process.exitCode = code;
// Keep-alive sockets or a stray timer must not hold a stopped simulator open.
setTimeout(() => process.exit(code), 2000).unref();
