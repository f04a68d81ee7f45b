import { describe, expect, test } from 'vitest';
import type { Simulator, SimulatorOptions } from '../src/index.js';
import { call, NOW, start } from './helpers.js';

const PATHS = [
  '/v1/workspaces',
  '/v1/campaigns',
  '/v1/campaigns/5/actions',
  '/v1/newsletters?limit=50',
  '/v1/segments',
  `/v1/messages?limit=300&start_ts=${NOW - 90 * 86_400}&end_ts=${NOW}`,
  '/v1/activities?limit=100',
];

async function bodies(opts: SimulatorOptions): Promise<string[]> {
  const sim: Simulator = await start(opts);
  try {
    const out: string[] = [];
    for (const p of PATHS) out.push((await call(sim, p)).text);
    const segment = sim.truth.segments()[1]?.id;
    out.push((await call(sim, `/v1/segments/${segment}/membership?limit=100`)).text);
    out.push((await call(sim, '/v1/customers?limit=40', { body: { filter: { segment: { id: segment } } } })).text);
    const ids = [...sim.truth.peopleCioIds()].slice(0, 30);
    out.push((await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids } })).text);
    return out;
  } finally {
    await sim.close();
  }
}

describe('determinism', () => {
  test('same seed, scale and now → byte-identical bodies', async () => {
    const a = await bodies({ seed: 7 });
    const b = await bodies({ seed: 7 });
    expect(b).toEqual(a);
    for (const body of a) expect(body.length).toBeGreaterThan(20);
  });

  test('another seed → another workspace', async () => {
    const a = await bodies({ seed: 7 });
    const c = await bodies({ seed: 8 });
    expect(c[1]).not.toEqual(a[1]);
    expect(c[6]).not.toEqual(a[6]);
  });
});
