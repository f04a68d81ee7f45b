import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciRequiresOfficialSchema, HAS_OFFICIAL_SCHEMA, officialProblems, officialSchemaTitle, pairingProblems } from '../helpers/airbyte-schema.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { ofType, recordsOf, REPO_ROOT, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';
import { strictAjv } from '../helpers/strict-ajv.js';

/**
 * A value that fits no declared type reaches the user as null, with its record, and is reported:
 * Airbyte `meta.changes`, a Singer WARN per field with its count, and the end-of-sync summary.
 * The simulator plays the API faithfully, so the odd body comes from a proxy-like fault.
 */
const ODD_CAMPAIGNS = JSON.stringify({
  campaigns: [
    { id: '1', updated: '1700000000', created: 'yesterday', tags: 'solo', actions: [{ id: '7', type: 'email' }], name: 'odd' },
    { id: 2, updated: 1700000001, created: 'last week', tags: null, name: 'also odd' },
    { id: 3, updated: 1700000002, created: 1690000000, name: 'fine' },
  ],
});

let ws: TestWorkspace;
let catalogPath: string;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100 });
  catalogPath = writeFiles({ 'k.json': await configuredCatalog(ws.configPath, { campaigns: 'full_refresh' }) })['k.json'] as string;
}, 60_000);

afterAll(async () => ws?.close());

const oddCampaigns = (): void => ws.sim.setFaults([{ path: '^/v1/campaigns$', kind: 'wrong-shape', status: 200, body: ODD_CAMPAIGNS }]);

/** One Airbyte read of the odd campaigns, shared by the behaviour test and the official schema test. */
let airbyteRead: Promise<CliResult> | undefined;
const oddAirbyteRead = (): Promise<CliResult> => {
  if (!airbyteRead) {
    oddCampaigns();
    airbyteRead = runCli(['read', '--config', ws.configPath, '--catalog', catalogPath]);
  }
  return airbyteRead;
};

describe('a value that fits no declared type', () => {
  it('Airbyte: the record comes with the field null and meta.changes naming it; the others are coerced losslessly', async () => {
    const result = await oddAirbyteRead();
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    const records = ofType(result.messages, 'RECORD').map((m) => m['record']);
    expect(records.map((r) => r['data']['id'])).toEqual([1, 2, 3]);
    const [odd, alsoOdd, fine] = records;
    expect(odd['data']).toMatchObject({ id: 1, updated: 1_700_000_000, created: null, tags: ['solo'], actions: [{ id: 7, type: 'email' }] });
    expect(odd['meta']).toEqual({ changes: [{ field: 'created', change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' }] });
    expect(alsoOdd['meta']['changes']).toHaveLength(1);
    expect(fine).not.toHaveProperty('meta');
    const validate = strictAjv().compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'campaigns.json'), 'utf8')) as object);
    for (const record of records) expect(validate(record['data']), JSON.stringify(validate.errors)).toBe(true);
    for (const message of result.messages) expect(pairingProblems(message)).toEqual([]);
    const logs = ofType(result.messages, 'LOG').map((m) => m['log']);
    expect(logs).toContainEqual({ level: 'WARN', message: 'campaigns: 2 values of created fit no type the schema declares and were emitted as null' });
    expect(logs.some((l) => l.level === 'WARN' && /campaigns\.created ×2/.test(l.message))).toBe(true);
  });

  it.skipIf(!HAS_OFFICIAL_SCHEMA)(
    officialSchemaTitle('Airbyte: every message of that read, meta.changes included, fits the official protocol schema'),
    async () => {
      const result = await oddAirbyteRead();
      expect(result.code, result.stderr.slice(-1000)).toBe(0);
      expect(ofType(result.messages, 'RECORD')).toHaveLength(3);
      for (const message of result.messages) expect(officialProblems(message), JSON.stringify(message).slice(0, 300)).toEqual([]);
    },
  );

  ciRequiresOfficialSchema();

  it('Singer: one WARN per stream and field with the count, and the record still comes', async () => {
    oddCampaigns();
    const singerCatalog = JSON.parse((await runCli(['--config', ws.configPath, '--discover'])).stdout);
    for (const stream of singerCatalog.streams) {
      stream.metadata[0].metadata.selected = stream.tap_stream_id === 'campaigns';
    }
    const { 's.json': path } = writeFiles({ 's.json': singerCatalog });
    const result = await runCli(['--config', ws.configPath, '--catalog', path as string]);
    expect(result.code, result.stderr.slice(-1000)).toBe(0);
    expect(recordsOf(result.messages, 'campaigns').map((r) => r['created'])).toEqual([null, null, 1_690_000_000]);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('fit no type'));
    expect(warnings).toContain('WARNING campaigns: 2 values of created fit no type the schema declares and were emitted as null');
    expect(warnings.filter((line) => line.startsWith('WARNING campaigns:'))).toHaveLength(1);
  });
});
