import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Simulator } from '../src/index.js';
import { call, DAY, list, start, walk } from './helpers.js';

/**
 * Changes to people and objects between syncs (Simulator.changePeople, changeObjects) are folded
 * over the generated workspace only once a batch is applied: until then every answer must be
 * byte for byte what the simulator served before they existed. The digests below were taken
 * from that simulator (seed 1, small scale, the helpers' clock, and three days later; the object
 * digests from the simulator before object changes existed); a deliberate change to the
 * generated workspace has to update them, anything else that moves them is a regression.
 */

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
const MATCH_ALL = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

async function digests(sim: Simulator): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const feed = await walk(sim, '/v1/activities?limit=100', list('activities'));
  out.feed = sha(JSON.stringify(feed.records) + feed.tokens.join());
  out.feedPage = sha((await call(sim, '/v1/activities?limit=7&start=900000000000002900')).text);
  out.truthFeed = sha(JSON.stringify(sim.truth.activities()));
  out.counts = JSON.stringify(sim.truth.counts());
  out.search = sha((await call(sim, '/v1/customers?limit=1000', { body: MATCH_ALL })).text);
  out.searchPlan = sha((await call(sim, '/v1/customers?limit=50', { body: { filter: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } } })).text);
  const ids = [...sim.truth.peopleCioIds()];
  out.ids = sha(ids.join());
  out.hydrate = sha((await call(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: ids.slice(0, 100) } })).text);
  out.hydrateEmail = sha((await call(sim, '/v1/customers/attributes?id_type=email', { body: { ids: ['grace.liskov.500@example.com', 'x@y.z'] } })).text);
  out.hydrateId = sha((await call(sim, '/v1/customers/attributes?id_type=id', { body: { ids: ['user_1', 'user_500', 'user_501'] } })).text);
  const deletedSegments = sim.truth.deletedParents().segments;
  for (const s of sim.truth.segments().filter((x) => !deletedSegments.includes(x.id))) {
    const m = await walk(sim, `/v1/segments/${s.id}/membership?limit=37`, (p) => (p.identifiers as unknown[] | null) ?? []);
    out[`seg${s.id}`] = sha(JSON.stringify(m.records) + m.tokens.join() + (await call(sim, `/v1/segments/${s.id}/customer_count`)).text);
  }
  out.ws = sha((await call(sim, '/v1/workspaces')).text);
  out.exportRows = sha(JSON.stringify([...sim.truth.exportRows({ attribute: { field: 'cio_id', operator: 'exists' } }, ['plan', 'email'])]));
  // Objects (Simulator.changeObjects): search pages with their repeats, hydration, 404s.
  for (const type of sim.truth.objectTypes()) {
    const all = { object_type_id: type.id, filter: { and: [{ object_attribute: { field: 'object_id', operator: 'exists', type_id: type.id } }] } };
    const s = await walk(sim, '/v1/objects?limit=7', (p) => (p.identifiers as unknown[] | null) ?? [], { body: all });
    const plan = { object_type_id: type.id, filter: { object_attribute: { field: 'plan', operator: 'eq', value: 'pro', type_id: type.id } } };
    const objects = sim.truth.objects(type.id);
    const attributes: string[] = [];
    for (const o of objects.filter((_, i) => i % 5 === 0)) {
      attributes.push((await call(sim, `/v1/objects/${type.id}/${o.identifiers.object_id}/attributes`)).text);
      attributes.push((await call(sim, `/v1/objects/${type.id}/${o.identifiers.cio_object_id}/attributes?id_type=cio_object_id`)).text);
    }
    const last = objects[objects.length - 1]?.identifiers.object_id ?? '';
    const after = last.replace(/[0-9]+$/, (n) => String(Number(n) + 1));
    attributes.push((await call(sim, `/v1/objects/${type.id}/${after}/attributes`)).text);
    out[`objects${type.id}`] = sha(
      JSON.stringify(s.records) +
        s.tokens.join() +
        (await call(sim, '/v1/objects?limit=1000', { body: plan })).text +
        attributes.join() +
        JSON.stringify(objects),
    );
  }
  out.objectTypes = sha((await call(sim, '/v1/object_types')).text);
  return out;
}

const SEGMENTS = { seg1: '6e855bea45c64463', seg4: 'd6638918cdac5be9', seg6: 'c9478cf2c3e7cf6e', seg10: 'a2fc4b9c6697d29a', seg12: '2e8b0b0c955d710a' };
const OBJECTS = { objects1: '8087f654f46cc0f1', objects2: 'a429f6e4ddbd7cb9', objectTypes: '8cbf540b3622734a' };
const SAME = {
  feedPage: '802ca31d3677801a',
  search: 'ab5b53ffced965c6',
  searchPlan: '538cf2a67a2cc635',
  ids: '418f703066497870',
  hydrateEmail: 'c50643391490fa2e',
  ...SEGMENTS,
  ...OBJECTS,
};

describe('a simulator no change batch touched', () => {
  test.each([
    [
      0,
      {
        ...SAME,
        feed: '6cf43027fdc26bb3',
        truthFeed: 'e8927311d714e840',
        counts: '{"campaigns":8,"actions":114,"newsletters":30,"segments":6,"people":500,"messages":4504,"activities":1021}',
        hydrate: '0bca4c520d01e524',
        hydrateId: '85efe44e3fd2354a',
        ws: '9ffce2d508c8cd50',
        exportRows: '707b33a0c2a0fb57',
      },
    ],
    [
      3 * DAY,
      {
        ...SAME,
        feed: '5ec2eb55561e4c22',
        truthFeed: '5bc9dce3cfae2516',
        counts: '{"campaigns":8,"actions":114,"newsletters":30,"segments":6,"people":500,"messages":4529,"activities":1021}',
        hydrate: '49c341393360dfde',
        hydrateId: 'ec318dcd782a867c',
        ws: '877a6cbf8931e9f6',
        exportRows: '9bef7ef4ec254e94',
      },
    ],
  ])('serves what it served before people changes existed (clock + %i s)', async (advance, expected) => {
    const sim = await start();
    try {
      sim.advance(advance);
      expect(await digests(sim)).toEqual(expected);
    } finally {
      await sim.close();
    }
  });
});
