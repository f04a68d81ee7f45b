#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { processRuntime } from './app/runtime.js';
import { main } from './main.js';

const code = await main(hideBin(process.argv), processRuntime());
process.exitCode = code;
// Keep-alive sockets or a stray timer must not hold a finished command open.
setTimeout(() => process.exit(code), 2000).unref();
