import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVE_OPTIONS } from 'customerio-simulator';
import { describe, expect, test } from 'vitest';
import { CLI } from '../helpers/cli.js';

/**
 * `tap-customerio simulate` (yargs, in the tap) and the simulator package's own program
 * (`customerio-simulator`, node's parseArgs) are two front doors to one server: same options,
 * same defaults, same output. The simulator may not import the tap's option table, so they are
 * compared here.
 */
const manifest = createRequire(import.meta.url).resolve('customerio-simulator/package.json');
const BIN = join(dirname(manifest), (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin['customerio-simulator'] as string);

/** Option name → default (undefined when none) from yargs' help text, without --help and --version. */
function yargsOptions(help: string): Record<string, string | undefined> {
  const options: Record<string, string | undefined> = {};
  for (const block of help.split(/\n(?=\s+(?:-\w, )?--)/)) {
    const name = /^\s+(?:-\w, )?--([\w-]+)/.exec(block)?.[1];
    if (name === undefined || name === 'version' || name === 'help') continue;
    options[name] = /\[default: "?([^"\]]*)"?\]/.exec(block)?.[1];
  }
  return options;
}

/** Starts a simulator program, reads its first stdout line, stops it with SIGTERM: what it printed and its exit code. */
async function runUntilListening(args: string[]): Promise<{ first: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  // The stderr text follows the first line; wait for its last line before stopping.
  for (let i = 0; i < 100 && !stderr.includes('Ctrl-C stops it.\n'); i++) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  const url = (JSON.parse(first) as { url: string }).url;
  return { first: first.replaceAll(url, 'URL'), stderr: stderr.replaceAll(url, 'URL'), code };
}

describe('tap-customerio simulate and the customerio-simulator program', () => {
  test('take the same options, with the same defaults', () => {
    const tap = yargsOptions(execFileSync(process.execPath, [CLI, 'simulate', '--help']).toString());
    const own = Object.fromEntries(
      Object.entries(SERVE_OPTIONS)
        .filter(([name]) => name !== 'help')
        .map(([name, o]) => [name, 'default' in o ? String(o.default) : undefined]),
    );
    expect(Object.keys(tap).length).toBeGreaterThan(10);
    expect(own).toStrictEqual(tap);
  });

  test('print the same, and stop on SIGTERM with 0', async () => {
    const args = ['--port', '0', '--seed', '3', '--now', '1790000000'];
    const [own, tap] = await Promise.all([runUntilListening([BIN, ...args]), runUntilListening([CLI, 'simulate', ...args])]);
    expect(own).toEqual(tap);
    expect(JSON.parse(own.first)).toEqual({ url: 'URL', scale: 'small', seed: 3, config: { app_api_key: 'sim-demo-app-api-key', base_url: 'URL' } });
    expect(own.code).toBe(0);
  });
});
