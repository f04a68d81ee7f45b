#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=100
// The flags above (repeated in the Dockerfile's ENTRYPOINT, kept equal by a test): a read keeps
// 20-30 MB alive, but with a machine's worth of memory free V8 lets a fast read grow the heap to
// 200 MB and more before it collects. A young generation of 4 MB and an old one allowed twice its
// live size keep a million-record read near 135 MB, for some more CPU (bench/RESULTS.md).
import { hideBin } from 'yargs/helpers';
import { processRuntime } from './app/runtime.js';
import { main } from './main.js';

const code = await main(hideBin(process.argv), processRuntime());
process.exitCode = code;
// Keep-alive sockets or a stray timer must not hold a finished command open.
setTimeout(() => process.exit(code), 2000).unref();
