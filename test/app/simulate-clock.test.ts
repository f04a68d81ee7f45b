import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

/** `simulate --now` pins the workspace clock, so a demo or a test run can be reproduced. */
describe('simulate --now', () => {
  it('answers with the clock it was given, and the same data at that clock', async () => {
    const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', '--now', '1790000000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const url = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line).url)));
      const now = (await (await fetch(`${url}/__sim/advance?seconds=0`, { method: 'POST' })).json()) as { now: number };
      expect(now.now).toBe(1_790_000_000);
      const headers = { authorization: 'Bearer sim-demo-app-api-key' };
      const page = (await (await fetch(`${url}/v1/messages?limit=5&start_ts=${1_790_000_000 - 86_400}&end_ts=${1_790_000_000}`, { headers })).json()) as {
        messages: Array<{ created: number }>;
      };
      expect(page.messages.length).toBe(5);
      for (const message of page.messages) expect(message.created).toBeLessThanOrEqual(1_790_000_000);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
