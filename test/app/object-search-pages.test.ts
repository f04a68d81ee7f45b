import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, TEST_KEY, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Object search may return an object again on a later page (§5.10, §7.9). With a few hundred
 * objects a type, each type takes several search pages of the tap's size (100), and some page
 * starts with the last object of the page before: the tap still emits every object once.
 */
type Row = Record<string, any>;
/** The tap's object search page (src/streams/objects.ts). */
const TAP_PAGE = 100;

let ws: TestWorkspace;
let result: CliResult;

/** Walks one type's search the way the tap pages it; returns each page's object ids. */
async function searchPages(typeId: string): Promise<string[][]> {
  const pages: string[][] = [];
  let start: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ limit: String(TAP_PAGE), ...(start ? { start } : {}) });
    const answer = await fetch(`${ws.sim.url}/v1/objects?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        object_type_id: typeId,
        filter: { and: [{ object_attribute: { field: 'object_id', operator: 'exists', type_id: typeId } }] },
      }),
    });
    const body = (await answer.json()) as Row;
    pages.push(((body['identifiers'] ?? []) as Row[]).map((i) => String(i['object_id'])));
    if (!body['next']) return pages;
    start = body['next'];
  }
}

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0, sizes: { objectsPerType: 400 } }, { requests_per_second: 100 });
  const { 'k.json': catalog } = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { objects: 'full_refresh' }) });
  result = await runCli(['read', '--config', ws.configPath, '--catalog', catalog as string], { timeoutMs: 50_000 });
}, 60_000);

afterAll(async () => ws?.close());

describe('objects over several search pages that repeat an object', () => {
  it("the search the tap walks has several pages a type, and some page repeats the previous page's last object", async () => {
    let repeats = 0;
    let multiPage = 0;
    for (const type of ws.sim.truth.objectTypes() as Row[]) {
      const pages = await searchPages(String(type['id']));
      if (pages.length > 1) multiPage++;
      for (let i = 1; i < pages.length; i++) if (pages[i]?.[0] !== undefined && pages[i]?.[0] === pages[i - 1]?.at(-1)) repeats++;
    }
    expect(multiPage).toBeGreaterThan(0);
    expect(repeats).toBeGreaterThan(0);
  });

  it('every object of the truth once, no duplicates', () => {
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const status = ofType(result.messages, 'TRACE')
      .filter((m) => m['trace']['type'] === 'STREAM_STATUS' && m['trace']['stream_status']['stream_descriptor']['name'] === 'objects')
      .map((m) => m['trace']['stream_status']['status'])
      .at(-1);
    expect(status).toBe('COMPLETE');
    const keys = recordsOf(result.messages, 'objects').map((r) => `${r['object_type_id']}|${r['object_id']}`);
    expect(keys.length, 'duplicates').toBe(new Set(keys).size);
    const truth = ws.sim.truth;
    const expected = (truth.objectTypes() as Row[]).flatMap((t) =>
      truth.objects(String(t['id'])).map((o: Row) => `${t['id']}|${o['identifiers']['object_id']}`),
    );
    expect(expected.length).toBeGreaterThan(TAP_PAGE * 2);
    expect([...keys].sort()).toEqual([...expected].sort());
  });
});
