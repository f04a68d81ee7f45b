import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import split2 from 'split2';
import { describe, expect, it } from 'vitest';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { CLI, ofType, runCli, writeFiles } from '../helpers/cli.js';

interface SummaryRow {
  records: number;
  states: number;
  status: string;
}

/** The table demo prints (stream, records, states, status), and its totals line. */
function parseSummary(stdout: string): { rows: Map<string, SummaryRow>; total: number; served429: number } {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => /^stream\s+records\s+states\s+status$/.test(line.trim()));
  if (header < 0) throw new Error(`no summary table in:\n${stdout}`);
  const rows = new Map<string, SummaryRow>();
  for (const line of lines.slice(header + 2)) {
    if (line.trim() === '') break;
    const match = /^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)$/.exec(line.trim());
    if (!match) throw new Error(`not a summary row: ${line}`);
    rows.set(match[1] as string, { records: Number(match[2]), states: Number(match[3]), status: match[4] as string });
  }
  const totals = /^(\d+) records in [\d.]+ s; .*, (\d+) answered 429\.$/m.exec(stdout);
  if (!totals) throw new Error(`no totals line in:\n${stdout}`);
  return { rows, total: Number(totals[1]), served429: Number(totals[2]) };
}

const increment = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

describe('demo', () => {
  it('runs a full sync of every stream against its own simulator, and its summary says what the output holds', { timeout: 180_000 }, async () => {
    const output = join(tmpdir(), `demo-test-${process.pid}.jsonl`);
    const result = await runCli(['demo', '--output', output], { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = parseSummary(result.stdout);
    expect([...summary.rows.keys()].sort()).toEqual(ALL_STREAMS.map((def) => def.name).sort());

    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const records = new Map<string, number>();
    const states = new Map<string, number>();
    const lastStatus = new Map<string, string>();
    for (const message of lines) {
      if (message['type'] === 'RECORD') increment(records, message['record']['stream']);
      if (message['type'] === 'STATE') increment(states, message['state']['stream']['stream_descriptor']['name']);
      if (message['type'] === 'TRACE' && message['trace']['type'] === 'STREAM_STATUS') {
        lastStatus.set(message['trace']['stream_status']['stream_descriptor']['name'], message['trace']['stream_status']['status']);
      }
    }
    for (const [stream, row] of summary.rows) {
      expect({ stream, ...row }).toEqual({ stream, records: records.get(stream) ?? 0, states: states.get(stream) ?? 0, status: 'COMPLETE' });
      expect(lastStatus.get(stream), stream).toBe('COMPLETE');
    }
    const sum = [...summary.rows.values()].reduce((total, row) => total + row.records, 0);
    expect(summary.total).toBe(sum);
    expect(ofType(lines, 'RECORD')).toHaveLength(sum);
    expect(sum).toBeGreaterThan(5000);
    expect(summary.served429).toBe(0);
    expect(ofType(lines, 'TRACE').filter((m) => m['trace']['type'] === 'ERROR')).toEqual([]);
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
