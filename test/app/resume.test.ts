import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

let ws: TestWorkspace;
let startDate: number;

beforeAll(async () => {
  // Medium scale, real rate limit and some latency: slow enough to be killed mid-stream.
  ws = await testWorkspace({ scale: 'medium', latencyMs: 20 });
  startDate = ws.sim.now() - 300 * 86_400;
  ws = { ...ws, ...(await rewriteConfig(ws, { start_date: new Date(startDate * 1000).toISOString(), messages_lookback_days: 0 })) };
}, 60_000);

afterAll(async () => ws.close());

async function rewriteConfig(base: TestWorkspace, extra: Record<string, unknown>): Promise<{ configPath: string }> {
  const { 'config.json': configPath } = writeFiles({ 'config.json': { ...base.config, ...extra } });
  return { configPath: configPath as string };
}

function statesOf(result: CliResult, stream: string): Array<Record<string, any>> {
  return ofType(result.messages, 'STATE')
    .map((m) => m['state'])
    .filter((s) => s['stream']['stream_descriptor']['name'] === stream);
}

/** Runs a read and SIGKILLs it as soon as `when` holds for an emitted message. */
function readUntilKilled(catalogPath: string, when: (m: Record<string, any>) => boolean): Promise<CliResult> {
  return runCli(['read', '--config', ws.configPath, '--catalog', catalogPath], {
    onMessage: (message, child) => {
      if (when(message)) child.kill('SIGKILL');
    },
  });
}

describe('resuming after SIGKILL', () => {
  it('messages: restarts with the finished intervals of the last checkpoint, reads only the gaps, and loses nothing', async () => {
    const { 'c.json': catalogPath } = writeFiles({ 'c.json': await configuredCatalog(ws.configPath, { messages: 'incremental' }) });
    const finishedIn = (m: Record<string, any>): number =>
      ((m['state']?.['stream']?.['stream_state']?.['done'] ?? []) as Array<[number, number]>).reduce((sum, [a, b]) => sum + (b - a), 0);
    // Killed once a few windows are finished, wherever they are.
    const killed = await readUntilKilled(catalogPath as string, (m) => m['type'] === 'STATE' && finishedIn(m) > 20 * 86_400);
    expect(killed.signal).toBe('SIGKILL');
    const checkpoint = statesOf(killed, 'messages').at(-1);
    expect(checkpoint).toBeDefined();
    const done = checkpoint?.['stream']['stream_state']['done'] as Array<[number, number]>;
    expect(done.length).toBeGreaterThan(0);
    const isDone = (t: number): boolean => done.some(([a, b]) => t >= a && t < b);

    ws.sim.resetStats();
    const { 's.json': statePath } = writeFiles({ 's.json': [checkpoint] });
    const resumed = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath as string, '--state', statePath as string]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = recordsOf(resumed.messages, 'messages');
    expect(after.length).toBeGreaterThan(0);
    // No lookback here (messages_lookback_days 0): nothing finished is read again.
    for (const record of after) expect(isDone(record['created']), String(record['created'])).toBe(false);

    const got = new Set([...recordsOf(killed.messages, 'messages').filter((r) => isDone(r['created'])), ...after].map((r) => r['id']));
    const expected = ws.sim.truth.messageIds(startDate, ws.sim.now());
    expect(expected.length).toBeGreaterThan(5000);
    for (const id of expected) expect(got.has(id)).toBe(true);
    expect(after.length).toBeLessThan(expected.length);
  });

  it('people: continues from the checkpointed search page', async () => {
    const { 'c.json': catalogPath } = writeFiles({ 'c.json': await configuredCatalog(ws.configPath, { people: 'full_refresh' }) });
    // The search's page token is nested in the full read's state (streams with a change feed).
    const killed = await readUntilKilled(
      catalogPath as string,
      (m) => m['type'] === 'STATE' && m['state']['stream']['stream_state']['full']?.['state']?.['resume'] !== undefined,
    );
    const checkpoint = statesOf(killed, 'people').at(-1);
    expect(checkpoint?.['stream']['stream_state']['full']['state']['resume']['start']).toEqual(expect.any(String));
    const countedBefore = statesOf(killed, 'people').reduce((sum, s) => sum + s['sourceStats']['recordCount'], 0);

    const { 's.json': statePath } = writeFiles({ 's.json': [checkpoint] });
    const resumed = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath as string, '--state', statePath as string]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const before = recordsOf(killed.messages, 'people').slice(0, countedBefore);
    const after = recordsOf(resumed.messages, 'people');
    const all = [...ws.sim.truth.peopleCioIds()];
    expect(after.length).toBeLessThan(all.length);
    expect(new Set([...before, ...after].map((r) => r['cio_id']))).toEqual(new Set(all));
    // A finished full read leaves the bookmark an incremental sync continues from (a full refresh starts over).
    const started = checkpoint?.['stream']['stream_state']['full']['started'];
    expect(statesOf(resumed, 'people').at(-1)?.['stream']['stream_state']).toMatchObject({ changed_at: started, boundary: [], full_at: started });
  });

  it('segment_memberships: finished segments are not read again', async () => {
    const { 'c.json': catalogPath } = writeFiles({ 'c.json': await configuredCatalog(ws.configPath, { segment_memberships: 'full_refresh' }) });
    const killed = await readUntilKilled(
      catalogPath as string,
      (m) => m['type'] === 'STATE' && (m['state']['stream']['stream_state']['resume']?.['done']?.length ?? 0) >= 5,
    );
    const checkpoint = statesOf(killed, 'segment_memberships').at(-1);
    const done = new Set<string>(checkpoint?.['stream']['stream_state']['resume']['done']);
    expect(done.size).toBeGreaterThanOrEqual(5);
    const countedBefore = statesOf(killed, 'segment_memberships').reduce((sum, s) => sum + s['sourceStats']['recordCount'], 0);

    const { 's.json': statePath } = writeFiles({ 's.json': [checkpoint] });
    const resumed = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath as string, '--state', statePath as string]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = recordsOf(resumed.messages, 'segment_memberships');
    expect(after.length).toBeGreaterThan(0);
    for (const row of after) expect(done.has(String(row['segment_id']))).toBe(false);
    const before = recordsOf(killed.messages, 'segment_memberships').slice(0, countedBefore);
    const got = new Set([...before, ...after].map((r) => `${r['segment_id']}:${r['cio_id']}`));
    const expected = ws.sim.truth.segments().flatMap((s: any) => ws.sim.truth.segmentMemberCioIds(s.id).map((id: string) => `${s.id}:${id}`));
    expect(got).toEqual(new Set(expected));
  });
});
