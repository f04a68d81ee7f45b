import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WorkspaceClock } from '../src/clock.js';
import { World } from '../src/data/world.js';
import { SCALES, type Simulator, type TestGroupRecord, type VariantRecord } from '../src/index.js';
import { call, expectNoDuplicates, NOW, routeError, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

describe('GET /v1/newsletters/{id}/contents and /test_groups', () => {
  test('every newsletter: contents equal the truth and its content_ids; test groups partition them', async () => {
    let withGroups = 0;
    let withoutGroups = 0;
    let languageVariants = 0;
    const deleted = sim.truth.deletedParents().newsletters;
    for (const n of sim.truth.newsletters()) {
      if (deleted.includes(n.id)) continue;
      const contents = await call<{ contents: VariantRecord[] }>(sim, `/v1/newsletters/${n.id}/contents`);
      expect(contents.status).toBe(200);
      expect(Object.keys(contents.json)).toEqual(['contents']);
      expect(contents.json.contents).toEqual(sim.truth.newsletterContents(n.id));
      expect(contents.json.contents.map((c) => c.id)).toEqual(n.content_ids);
      for (const c of contents.json.contents) {
        expect(c.newsletter_id).toBe(n.id);
        expect(c.type).toBe(n.type);
        expect(c.deduplicate_id).toBe(`${c.id}:${c.updated}`);
        if (c.language !== '') languageVariants++;
      }

      const groups = await call<{ test_groups: TestGroupRecord[] | null }>(sim, `/v1/newsletters/${n.id}/test_groups`);
      expect(Object.keys(groups.json)).toEqual(['test_groups']);
      const truth = sim.truth.newsletterTestGroups(n.id);
      expect(groups.json.test_groups).toEqual(truth.length === 0 ? null : truth);
      if (truth.length === 0) {
        withoutGroups++;
        continue;
      }
      withGroups++;
      expect(truth.map((g) => g.id)).toEqual(truth.map((_, i) => i));
      const members = truth.flatMap((g) => g.content_ids);
      expectNoDuplicates(members);
      expect([...members].sort((a, b) => a - b)).toEqual(n.content_ids);
      // A sent A/B test has exactly one winner, a draft none.
      expect(truth.filter((g) => g.winner)).toHaveLength(n.sent_at === null ? 0 : 1);
    }
    expect(withGroups).toBeGreaterThan(0);
    expect(withoutGroups).toBeGreaterThan(0);
    expect(languageVariants).toBeGreaterThan(0);
  });

  test('at medium scale some A/B group holds two contents (an original and its language variant)', () => {
    const world = new World(1, SCALES.medium, new WorkspaceClock(NOW));
    let found = 0;
    for (let k = 0; k < world.newsletters.count; k++) {
      const groups = world.newsletterVariants.testGroups(k, NOW) ?? [];
      const pair = groups.find((g) => g.content_ids.length === 2);
      if (pair === undefined) continue;
      found++;
      const languages = world.newsletterVariants
        .contents(k, NOW)
        .filter((c) => pair.content_ids.includes(c.id))
        .map((c) => c.language);
      expect(languages).toEqual(['', 'de']);
    }
    expect(found).toBeGreaterThan(0);
  });

  test('unknown newsletter → 404 errors envelope on both; malformed id → 400', async () => {
    for (const path of ['/v1/newsletters/1001/contents', '/v1/newsletters/999999/test_groups']) {
      const res = await call(sim, path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual(routeError(path, 404));
    }
    expect((await call(sim, '/v1/newsletters/abc/contents')).status).toBe(400);
  });
});
