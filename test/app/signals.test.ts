import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { CLI, ofType, recordsOf, REPO_ROOT, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

let ws: TestWorkspace;
let catalogPath: string;
let startDate: number;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'medium', latencyMs: 30 });
  startDate = ws.sim.now() - 200 * 86_400;
  const { 'c.json': config } = writeFiles({ 'c.json': { ...ws.config, start_date: new Date(startDate * 1000).toISOString(), messages_lookback_days: 0 } });
  ws = { ...ws, configPath: config as string };
  catalogPath = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { messages: 'incremental', people: 'full_refresh' }) })['k.json'] as string;
}, 60_000);

afterAll(async () => ws.close());

function lastState(result: CliResult, stream: string): Record<string, any> | undefined {
  return ofType(result.messages, 'STATE')
    .map((m) => m['state'])
    .filter((s) => s['stream']['stream_descriptor']['name'] === stream)
    .at(-1);
}

/** Restarts from the states a stopped read emitted and checks nothing of either stream is missing. */
async function expectCompletesFrom(stopped: CliResult): Promise<void> {
  const states = ['messages', 'people'].map((s) => lastState(stopped, s)).filter((s) => s !== undefined);
  const args = ['read', '--config', ws.configPath, '--catalog', catalogPath];
  if (states.length > 0) args.push('--state', writeFiles({ 's.json': states })['s.json'] as string);
  const resumed = await runCli(args, { timeoutMs: 120_000 });
  expect(resumed.code, resumed.stderr.slice(-500)).toBe(0);
  const messages = new Set([...recordsOf(stopped.messages, 'messages'), ...recordsOf(resumed.messages, 'messages')].map((r) => r['id']));
  for (const id of ws.sim.truth.messageIds(startDate, ws.sim.now())) expect(messages.has(id), id).toBe(true);
  const people = new Set([...recordsOf(stopped.messages, 'people'), ...recordsOf(resumed.messages, 'people')].map((r) => r['cio_id']));
  expect(people).toEqual(new Set(ws.sim.truth.peopleCioIds()));
}

describe('SIGTERM and SIGINT', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: stop, flush, a final STATE covering exactly what was emitted, INCOMPLETE, non-zero; restart completes',
    async (signal) => {
      let sent = false;
      const stopped = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath], {
        onMessage: (message, child) => {
          if (!sent && message['type'] === 'RECORD' && message['record']['stream'] === 'people') {
            sent = true;
            child.kill(signal);
          }
        },
      });
      expect(stopped.signal).toBeNull();
      expect(stopped.code).not.toBe(0);
      for (const stream of ['messages', 'people']) {
        // Every record is followed by a state that counts it.
        const records = recordsOf(stopped.messages, stream).length;
        const counted = ofType(stopped.messages, 'STATE')
          .filter((m) => m['state']['stream']['stream_descriptor']['name'] === stream)
          .reduce((sum, m) => sum + m['state']['sourceStats']['recordCount'], 0);
        expect(counted, stream).toBe(records);
        const lastRecord = stopped.messages.findLastIndex((m) => m['type'] === 'RECORD' && m['record']['stream'] === stream);
        const lastStateAt = stopped.messages.findLastIndex((m) => m['type'] === 'STATE' && m['state']['stream']['stream_descriptor']['name'] === stream);
        expect(lastStateAt, stream).toBeGreaterThan(lastRecord);
      }
      const statuses = ofType(stopped.messages, 'TRACE')
        .filter((m) => m['trace']['type'] === 'STREAM_STATUS')
        .map((m) => m['trace']['stream_status']['status']);
      expect(statuses).toContain('INCOMPLETE');
      expect(stopped.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
      await expectCompletesFrom(stopped);
    },
  );
});

describe('SIGKILL at random points', () => {
  it.each([1, 2, 3])('seed %i: restarting from the last emitted state completes the sync', { timeout: 180_000 }, async (seed) => {
    // A deterministic kill point per seed: after some number of records.
    const killAfter = [700, 4_200, 9_100][seed - 1] as number;
    let seen = 0;
    const killed = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath], {
      onMessage: (message, child) => {
        if (message['type'] === 'RECORD' && ++seen === killAfter) child.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    await expectCompletesFrom(killed);
  });
});

describe('a consumer that closes stdout early (EPIPE)', () => {
  it('the tap stops with a message on stderr, no stack trace', async () => {
    const child = spawn(process.execPath, [CLI, 'read', '--config', ws.configPath, '--catalog', catalogPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/stdout was closed by its reader \(EPIPE\)/);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('the safety net: a failure nothing waits for', () => {
  it.each(['rejection', 'exception'] as const)('an unhandled %s ends the sync the orderly way, with its own code and no stack', async (kind) => {
    const stopped = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath], {
      env: { NODE_OPTIONS: `--import=${join(REPO_ROOT, 'test', 'helpers', 'inject-fault.mjs')}`, TAP_TEST_FAULT: kind, TAP_TEST_FAULT_AFTER_MS: '1500' },
    });
    expect(stopped.signal).toBeNull();
    expect(stopped.code).toBe(1);
    const last = stopped.messages.filter((m) => m['type'] !== 'LOG').at(-1);
    expect(last?.['trace']?.['type']).toBe('ERROR');
    expect(last?.['trace']?.['error']?.['internal_message']).toMatch(
      new RegExp(`^UNHANDLED: Stopped after an internal failure that nothing was waiting for \\(injected ${kind}\\)`),
    );
    expect(last?.['trace']?.['error']?.['failure_type']).toBe('system_error');
    expect(last?.['trace']?.['error']?.['stack_trace']).toBeUndefined();
    expect(stopped.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(stopped.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    await expectCompletesFrom(stopped);
  });
});
