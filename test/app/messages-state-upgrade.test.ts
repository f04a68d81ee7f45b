import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * A messages state written before the interval state, `{"created": X}`, still means "everything
 * before X is read": the upgraded tap reads from X less the lookback, and writes the new state.
 */
const DAY = 86_400;
let ws: TestWorkspace;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100, messages_lookback_days: 10 });
}, 30_000);

afterAll(async () => ws?.close());

describe('a messages state from before the interval state', () => {
  it('reads from its timestamp less the lookback, and leaves a state with finished intervals', async () => {
    const bookmark = ws.sim.now() - 60 * DAY;
    const catalog = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { messages: 'incremental' }) })['k.json'] as string;
    const state = writeFiles({
      's.json': [{ type: 'STREAM', stream: { stream_descriptor: { name: 'messages' }, stream_state: { created: bookmark } } }],
    })['s.json'] as string;
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog, '--state', state]);
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const ids = recordsOf(result.messages, 'messages')
      .map((r) => r['id'])
      .sort();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(ws.sim.truth.messageIds(bookmark - 10 * DAY, ws.sim.now()).sort());
    const last = ofType(result.messages, 'STATE').at(-1)?.['state']['stream']['stream_state'];
    expect(last['done'][0][0]).toBe(0);
    expect(last['high']).toBeGreaterThan(bookmark);
    expect(last['created']).toBe(last['high']);
  });
});
