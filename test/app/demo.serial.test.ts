import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import split2 from 'split2';
import { describe, expect, it } from 'vitest';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { CLI, ofType, runCli, writeFiles } from '../helpers/cli.js';

describe('demo', () => {
  it('runs a full sync of every stream against its own simulator and prints a summary', { timeout: 180_000 }, async () => {
    const output = join(tmpdir(), `demo-test-${process.pid}.jsonl`);
    const result = await runCli(['demo', '--output', output], { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    for (const { name: stream } of ALL_STREAMS) {
      expect(result.stdout).toMatch(new RegExp(`^${stream}\\s+\\d+\\s+\\d+\\s+COMPLETE`, 'm'));
    }
    expect(result.stdout).toMatch(/0 answered 429/);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ofType(lines, 'RECORD').length).toBeGreaterThan(5000);
  });
});

describe('simulate', () => {
  it('serves the API on the port it prints, with a config to use', async () => {
    const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', '--seed', '7'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<Record<string, any>>((resolve, reject) => {
        child.stdout.pipe(split2()).once('data', (line: string) => resolve(JSON.parse(line) as Record<string, any>));
        child.once('exit', () => reject(new Error('simulate exited')));
      });
      expect(first['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { 'c.json': path } = writeFiles({ 'c.json': first['config'] });
      const check = await runCli(['check', '--config', path as string]);
      expect(ofType(check.messages, 'CONNECTION_STATUS')[0]?.['connectionStatus']['status']).toBe('SUCCEEDED');
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });
});
