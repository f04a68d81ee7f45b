import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseServeArgs, SERVE_OPTIONS, SERVE_USAGE, UsageError } from '../src/serve.js';

// The built program, as spawnSimulator and the package's bin run it (npm run build first).
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

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

describe('the simulator program (src/bin.ts, serve.ts)', () => {
  test('defaults and conversions, as tap-customerio simulate', () => {
    expect(parseServeArgs([])).toEqual({ host: '127.0.0.1', port: 8080, seed: 1, scale: 'small', rateLimit: 10, retryAfter: false, latencyMs: 0 });
    expect(
      parseServeArgs([
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--seed',
        '7',
        '--scale',
        'large',
        '--rate-limit',
        '0',
        '--retry-after',
        '--latency-ms',
        '25',
        '--people',
        '20000',
        '--campaigns',
        '3',
        '--now',
        '1790000000',
      ]),
    ).toEqual({
      host: '0.0.0.0',
      port: 0,
      seed: 7,
      scale: 'large',
      rateLimit: 0,
      retryAfter: true,
      latencyMs: 25,
      people: 20000,
      campaigns: 3,
      now: 1790000000,
    });
    // 0 people or campaigns means the scale's, as with simulate.
    expect(parseServeArgs(['--people', '0', '--campaigns=0'])).not.toHaveProperty('people');
    expect(parseServeArgs(['-h'])).toBe('help');
  });

  test('export options: file compression, failing jobs, URL lifetime', () => {
    expect(parseServeArgs(['--export-gzip', 'gzip', '--export-failures', '0.5', '--export-url-ttl', '2'])).toMatchObject({
      exportGzip: true,
      exportFailures: 0.5,
      exportUrlTtlSeconds: 2,
    });
    expect(parseServeArgs(['--export-gzip', 'alternate'])).toMatchObject({ exportGzip: 'alternate' });
    expect(parseServeArgs(['--export-gzip', 'plain'])).toMatchObject({ exportGzip: false });
  });

  test.each([
    [['--port', 'abc']],
    [['--scale', 'huge']],
    [['--bogus']],
    [['extra']],
    [['--now', '']],
    [['--export-gzip', 'zip']],
    [['--export-failures', '2']],
  ])('%j is a usage error', (args) => {
    expect(() => parseServeArgs(args)).toThrow(UsageError);
  });

  test('help lists every option with its default', () => {
    expect(parseServeArgs(['--help'])).toBe('help');
    for (const [name, option] of Object.entries(SERVE_OPTIONS)) {
      const line = SERVE_USAGE.split('\n').find((l) => l.trimStart().startsWith(`--${name}`));
      expect(line, name).toBeDefined();
      if ('default' in option && name !== 'help') expect(line).toContain(`(default: ${String(option.default)})`);
    }
  });

  test('dist/bin.js prints its config line first, and stops on SIGTERM with 0', async () => {
    const own = await runUntilListening([BIN, '--port', '0', '--seed', '3', '--now', '1790000000']);
    expect(JSON.parse(own.first)).toEqual({ url: 'URL', scale: 'small', seed: 3, config: { app_api_key: 'sim-demo-app-api-key', base_url: 'URL' } });
    expect(own.stderr).toContain('Ctrl-C stops it.');
    expect(own.code).toBe(0);
  });
});

describe('a simulator in a process of its own (spawnSimulator)', () => {
  test('takes the export options and reports what its download host served', async () => {
    const { spawnSimulator } = await import('../src/process.js');
    const sim = await spawnSimulator(['--export-gzip', 'gzip', '--export-url-ttl', '60', '--rate-limit', '0']);
    try {
      const headers = { authorization: 'Bearer sim-demo-app-api-key', 'content-type': 'application/json' };
      const filters = { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] };
      const created = (await (await fetch(`${sim.url}/v1/exports/customers`, { method: 'POST', headers, body: JSON.stringify({ filters }) })).json()) as {
        export: { id: number };
      };
      let status = 'pending';
      for (let i = 0; i < 100 && status === 'pending'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = ((await (await fetch(`${sim.url}/v1/exports/${created.export.id}`, { headers })).json()) as { export: { status: string } }).export.status;
      }
      expect(status).toBe('done');
      const { url } = (await (await fetch(`${sim.url}/v1/exports/${created.export.id}/download`, { headers })).json()) as { url: string };
      const file = Buffer.from(await (await fetch(url)).arrayBuffer());
      expect([file[0], file[1]]).toEqual([0x1f, 0x8b]); // gzip, as asked
      const stats = await sim.downloadStats();
      expect(stats.requests).toBe(1);
      expect(stats.withAuthorization).toBe(0);
    } finally {
      await sim.close();
    }
  });

  test('deletes entities between syncs over POST /__sim/delete; a bad batch rejects', async () => {
    const { spawnSimulator } = await import('../src/process.js');
    const sim = await spawnSimulator(['--rate-limit', '0']);
    try {
      const headers = { authorization: 'Bearer sim-demo-app-api-key' };
      expect(await sim.deleteEntities([{ kind: 'broadcast', id: 4 }])).toBe(13);
      expect((await fetch(`${sim.url}/v1/broadcasts/4/actions`, { headers })).status).toBe(404);
      await expect(sim.deleteEntities([{ kind: 'broadcast', id: 4 }])).rejects.toThrow(/broadcast 4 is already deleted/);
    } finally {
      await sim.close();
    }
  });

  test('changes people between syncs over POST /__sim/change-people; a bad batch rejects', async () => {
    const { spawnSimulator } = await import('../src/process.js');
    const sim = await spawnSimulator(['--rate-limit', '0']);
    try {
      const headers = { authorization: 'Bearer sim-demo-app-api-key' };
      const batch = await sim.changePeople({ counts: { profile_delete: 1, attribute_change: 2 }, seed: 9 });
      expect(batch.batch).toBe(1);
      expect(batch.changes.map((c) => c.kind).sort()).toEqual(['attribute_change', 'attribute_change', 'profile_delete']);
      const deleted = batch.changes.find((c) => c.kind === 'profile_delete');
      const feed = (await (await fetch(`${sim.url}/v1/activities?deleted=true&type=profile_delete`, { headers })).json()) as { activities: unknown[] };
      expect(feed.activities).toEqual([deleted?.activity]);
      expect((await sim.changePeople()).batch).toBe(2);
      await expect(sim.changePeople({ counts: { profile_merge: 10_000 } })).rejects.toThrow(/not enough people/);
    } finally {
      await sim.close();
    }
  });

  test('changes objects between syncs over POST /__sim/change-objects; a bad batch rejects', async () => {
    const { spawnSimulator } = await import('../src/process.js');
    const sim = await spawnSimulator(['--rate-limit', '0']);
    try {
      const headers = { authorization: 'Bearer sim-demo-app-api-key' };
      const batch = await sim.changeObjects({ counts: { delete: 1, attribute_change: 2 }, seed: 9 });
      expect(batch.batch).toBe(1);
      expect(batch.changes.map((c) => c.kind).sort()).toEqual(['attribute_change', 'attribute_change', 'delete']);
      const deleted = batch.changes.find((c) => c.kind === 'delete');
      const type = `_o:${deleted?.object_type_id ?? ''}:delete`;
      const feed = (await (await fetch(`${sim.url}/v1/activities?deleted=true&type=${encodeURIComponent(type)}`, { headers })).json()) as {
        activities: unknown[];
      };
      expect(feed.activities).toEqual([deleted?.activity]);
      const gone = await fetch(`${sim.url}/v1/objects/${deleted?.object_type_id ?? ''}/${deleted?.object_id ?? ''}/attributes`, { headers });
      expect(gone.status).toBe(404);
      expect((await sim.changeObjects()).batch).toBe(2);
      await expect(sim.changeObjects({ counts: { delete: 5000 } })).rejects.toThrow(/not enough objects/);
    } finally {
      await sim.close();
    }
  });
});
