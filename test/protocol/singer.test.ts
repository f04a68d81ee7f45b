import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => void;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

let ws: TestWorkspace;
let catalog: Record<string, any>;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 50 });
  const discovered = await runCli(['--config', ws.configPath, '--discover']);
  catalog = JSON.parse(discovered.stdout);
}, 60_000);

afterAll(async () => ws.close());

function select(names: Record<string, 'INCREMENTAL' | 'FULL_TABLE'>, deselectFields: Record<string, string[]> = {}): object {
  return {
    streams: catalog['streams'].map((stream: any) => ({
      ...stream,
      metadata: stream.metadata.map((entry: any) => {
        if (entry.breadcrumb.length === 0) {
          const method = names[stream.tap_stream_id];
          return { ...entry, metadata: { ...entry.metadata, selected: method !== undefined, ...(method ? { 'replication-method': method } : {}) } };
        }
        const field = entry.breadcrumb[1];
        if (deselectFields[stream.tap_stream_id]?.includes(field)) return { ...entry, metadata: { ...entry.metadata, selected: false } };
        return entry;
      }),
    })),
  };
}

function checkSingerOutput(result: CliResult): void {
  const schemas = new Map<string, any>();
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  expect(ofType(result.messages, 'RECORD').length, 'records to check').toBeGreaterThan(0);
  for (const message of result.messages) {
    expect(['SCHEMA', 'RECORD', 'STATE', 'ACTIVATE_VERSION']).toContain(message['type']);
    if (message['type'] === 'SCHEMA') {
      expect(typeof message['stream']).toBe('string');
      expect(message['schema'].type).toBe('object');
      for (const key of message['key_properties']) expect(message['schema'].properties[key]).toBeDefined();
      for (const key of message['bookmark_properties'] ?? []) expect(message['schema'].properties[key]).toBeDefined();
      schemas.set(message['stream'], ajv.compile(message['schema']));
    }
    if (message['type'] === 'RECORD') {
      const validate = schemas.get(message['stream']);
      expect(validate, `SCHEMA before RECORD of ${message['stream']}`).toBeDefined();
      expect(validate(message['record']), JSON.stringify(validate.errors)).toBe(true);
      expect(message['time_extracted']).toMatch(RFC3339);
    }
    if (message['type'] === 'STATE') expect(message['value']).toHaveProperty('bookmarks');
  }
}

describe('Singer discovery (S1, S2)', () => {
  it('needs --config: exit != 0 with the usage on stderr', async () => {
    const result = await runCli([]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--config/);
  });

  it('--discover prints exactly one JSON catalog with standard metadata', () => {
    const streams = catalog['streams'] as any[];
    expect(new Set(streams.map((s) => s.tap_stream_id)).size).toBe(streams.length);
    for (const stream of streams) {
      expect(stream.stream).toBe(stream.tap_stream_id);
      expect(stream.schema.type).toBe('object');
      const top = stream.metadata.find((m: any) => m.breadcrumb.length === 0).metadata;
      expect(top.inclusion).toBe('available');
      expect(Array.isArray(top['table-key-properties'])).toBe(true);
      expect(typeof top['selected-by-default']).toBe('boolean');
      for (const property of Object.keys(stream.schema.properties)) {
        const entry = stream.metadata.find((m: any) => m.breadcrumb[0] === 'properties' && m.breadcrumb[1] === property);
        expect(['available', 'automatic', 'unsupported']).toContain(entry.metadata.inclusion);
        if (top['table-key-properties'].includes(property)) expect(entry.metadata.inclusion).toBe('automatic');
      }
    }
    // Streams of personal data are there, but not selected unless asked for.
    const personal = streams.filter((s) => !s.metadata[0].metadata['selected-by-default']).map((s) => s.tap_stream_id);
    const expected = ALL_STREAMS.filter((def) => def.personalData).map((def) => def.name);
    expect(expected.length).toBeGreaterThan(0);
    expect(personal.sort()).toEqual(expected.sort());
  });
});

describe('Singer sync (S3–S8, S10)', () => {
  let first: CliResult;
  beforeAll(async () => {
    const paths = writeFiles({
      'cat.json': select(
        { campaigns: 'INCREMENTAL', segments: 'FULL_TABLE', activities: 'INCREMENTAL', people: 'FULL_TABLE' },
        { campaigns: ['description', 'tags', 'id'] },
      ),
    });
    first = await runCli(['--config', ws.configPath, '--catalog', paths['cat.json'] as string]);
  }, 60_000);

  it('writes only SCHEMA/RECORD/STATE, SCHEMA first, records valid, exit 0', () => {
    expect(first.code, first.stderr).toBe(0);
    checkSingerOutput(first);
  });

  it('syncs only selected streams and fields; automatic fields stay', () => {
    const streams = new Set(ofType(first.messages, 'RECORD').map((m) => m['stream']));
    expect([...streams].sort()).toEqual(['activities', 'campaigns', 'people', 'segments']);
    for (const record of recordsOf(first.messages, 'campaigns')) {
      expect(record).not.toHaveProperty('description');
      expect(record).not.toHaveProperty('tags');
      expect(record).toHaveProperty('id'); // key: automatic, cannot be deselected
      expect(record).toHaveProperty('updated');
      expect(record).toHaveProperty('name');
    }
  });

  it('STATE carries bookmarks, follows the last record', () => {
    const last = first.messages.at(-1);
    expect(last?.['type']).toBe('STATE');
    const bookmarks = last?.['value']['bookmarks'];
    expect(typeof bookmarks['campaigns']['updated']).toBe('number');
    expect(typeof bookmarks['activities']['timestamp']).toBe('number');
    expect(bookmarks['segments']).toEqual({});
  });

  it('re-run with the last STATE value: nothing older than the bookmarks', async () => {
    const state = first.messages.at(-1)?.['value'];
    const paths = writeFiles({ 'cat.json': select({ campaigns: 'INCREMENTAL', activities: 'INCREMENTAL', segments: 'FULL_TABLE' }), 'state.json': state });
    const second = await runCli(['--config', ws.configPath, '--catalog', paths['cat.json'] as string, '--state', paths['state.json'] as string]);
    expect(second.code, second.stderr).toBe(0);
    checkSingerOutput(second);
    // Neither loop may be empty: a bookmark is inclusive, and campaigns are re-read an hour back.
    const activities = recordsOf(second.messages, 'activities');
    const campaigns = recordsOf(second.messages, 'campaigns');
    expect(activities.length).toBeGreaterThan(0);
    expect(campaigns.length).toBeGreaterThan(0);
    for (const record of activities) expect(record['timestamp']).toBeGreaterThanOrEqual(state.bookmarks.activities.timestamp);
    for (const record of campaigns) expect(record['updated']).toBeGreaterThanOrEqual(state.bookmarks.campaigns.updated - 3600);
    // FULL_TABLE ignores bookmarks.
    expect(recordsOf(second.messages, 'segments').length).toBe(ws.sim.truth.segments().length);
  });

  it('without a catalog, syncs the default-selected streams', async () => {
    const result = await runCli(['--config', ws.configPath], { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    checkSingerOutput(result);
    const streams = new Set(ofType(result.messages, 'RECORD').map((m) => m['stream']));
    const byDefault = catalog['streams'].filter((s: any) => s.metadata[0].metadata['selected-by-default']).map((s: any) => s.tap_stream_id);
    expect([...streams].sort()).toEqual([...byDefault].sort());
  }, 180_000);

  it('logs only on stderr; a fatal error is CRITICAL and exits != 0', async () => {
    const paths = writeFiles({ 'bad.json': { app_api_key: 'wrong-key-abcdef', base_url: ws.sim.url } });
    const result = await runCli(['--config', paths['bad.json'] as string]);
    expect(result.code).not.toBe(0);
    for (const message of result.messages) expect(['SCHEMA', 'RECORD', 'STATE']).toContain(message['type']);
    expect(result.stderr).toMatch(/CRITICAL/);
    expect(result.stderr).toMatch(/App API key/);
  });
});

describe('Meltano about (M1, M2)', () => {
  it('--about --format json describes the tap without config', async () => {
    const result = await runCli(['--about', '--format', 'json']);
    expect(result.code).toBe(0);
    const about = JSON.parse(result.stdout);
    expect(about.name).toBe('tap-customerio');
    expect(typeof about.version).toBe('string');
    expect(about.capabilities).toEqual(expect.arrayContaining(['catalog', 'discover', 'state', 'about']));
    expect(about.settings.properties.app_api_key).toBeDefined();
  });

  it('--about alone prints text, --format markdown a table', async () => {
    const text = await runCli(['--about']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Name: tap-customerio/m);
    const markdown = await runCli(['--about', '--format', 'markdown']);
    expect(markdown.stdout).toMatch(/\| app_api_key \| True \|/);
  });

  it('--properties is accepted as the legacy name of --catalog', async () => {
    const paths = writeFiles({ 'cat.json': select({ segments: 'FULL_TABLE' }) });
    const result = await runCli(['--config', ws.configPath, '--properties', paths['cat.json'] as string]);
    expect(result.code).toBe(0);
    expect(new Set(ofType(result.messages, 'RECORD').map((m) => m['stream']))).toEqual(new Set(['segments']));
  });
});
