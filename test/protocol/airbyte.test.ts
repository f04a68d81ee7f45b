import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airbyteMessageProblems } from '../helpers/airbyte-schema.js';
import { configuredCatalog, CORE_STREAM_MODES, finalStates, streamDef } from '../helpers/catalog.js';
import { ofType, recordsOf, REPO_ROOT, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => void;
const ALL_MODES = CORE_STREAM_MODES;

/** runCli already fails a line that is not JSON; here every message is a valid AirbyteMessage, and there is one at least. */
function expectValidLines(result: CliResult): void {
  expect(result.messages.length).toBeGreaterThan(0);
  expect(result.stdout.endsWith('\n')).toBe(true);
  for (const message of result.messages) expect(airbyteMessageProblems(message), JSON.stringify(message).slice(0, 300)).toEqual([]);
}

function statuses(messages: CliResult['messages'], stream: string): string[] {
  return messages
    .filter((m) => m['type'] === 'TRACE' && m['trace']['type'] === 'STREAM_STATUS' && m['trace']['stream_status']['stream_descriptor']['name'] === stream)
    .map((m) => m['trace']['stream_status']['status'] as string);
}

let ws: TestWorkspace;
let catalogPath: string;
let first: CliResult;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 50 });
  const catalog = await configuredCatalog(ws.configPath, { ...ALL_MODES });
  catalogPath = writeFiles({ 'catalog.json': catalog })['catalog.json'] as string;
  first = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath]);
}, 120_000);

afterAll(async () => ws.close());

describe('Airbyte spec (A1, A3)', () => {
  it('prints exactly one SPEC without any config, exit 0', async () => {
    const result = await runCli(['spec']);
    expect(result.code).toBe(0);
    expectValidLines(result);
    const specs = ofType(result.messages, 'SPEC');
    expect(specs).toHaveLength(1);
    const spec = specs[0]?.['spec']['connectionSpecification'];
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(spec)).toBe(true);
    expect(spec['type']).toBe('object');
  });

  it('follows the TestSpec rules and accepts a sample config', async () => {
    const spec = JSON.parse(readFileSync(join(REPO_ROOT, 'spec.json'), 'utf8'))['connectionSpecification'];
    const text = JSON.stringify(spec);
    for (const forbidden of ['"not"', '"anyOf"', '"allOf"', '"$ref"', '"patternProperties"', '"if"']) expect(text).not.toContain(`${forbidden}:`);
    expect(spec.properties.app_api_key.airbyte_secret).toBe(true);
    const orders = Object.values(spec.properties as Record<string, { order: number }>).map((p) => p.order);
    expect(new Set(orders).size).toBe(orders.length);
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    expect(ajv.validate(spec, { app_api_key: 'x', region: 'eu', start_date: '2025-01-01T00:00:00Z', _ignored: 1 })).toBe(true);
  });
});

describe('Airbyte check (A4)', () => {
  it('SUCCEEDED for a working key, exit 0', async () => {
    const result = await runCli(['check', '--config', ws.configPath]);
    expect(result.code).toBe(0);
    expectValidLines(result);
    const status = ofType(result.messages, 'CONNECTION_STATUS');
    expect(status).toHaveLength(1);
    expect(status[0]?.['connectionStatus']['status']).toBe('SUCCEEDED');
  });

  it('FAILED with hints for a rejected key, exit 0', async () => {
    const { 'bad.json': bad } = writeFiles({ 'bad.json': { app_api_key: 'not-the-right-key-123', base_url: ws.sim.url } });
    const result = await runCli(['check', '--config', bad as string]);
    expect(result.code).toBe(0);
    expectValidLines(result);
    const status = ofType(result.messages, 'CONNECTION_STATUS');
    expect(status).toHaveLength(1);
    expect(status[0]?.['connectionStatus']['status']).toBe('FAILED');
    const message = status[0]?.['connectionStatus']['message'] as string;
    expect(message).toMatch(/Track API key/);
    expect(message).toMatch(/region/);
    expect(message).toMatch(/IP allowlist/);
  });

  it('FAILED naming the field for an invalid config, exit 0', async () => {
    const { 'bad.json': bad } = writeFiles({ 'bad.json': { app_api_key: 'k-123456', region: 'mars' } });
    const result = await runCli(['check', '--config', bad as string]);
    expect(result.code).toBe(0);
    const status = ofType(result.messages, 'CONNECTION_STATUS');
    expect(status).toHaveLength(1);
    expect(status[0]?.['connectionStatus']['message']).toMatch(/region must be one of us, eu, auto/);
  });
});

describe('Airbyte discover (A5, A6)', () => {
  it('one CATALOG with valid, unique, resolvable streams', async () => {
    const result = await runCli(['discover', '--config', ws.configPath]);
    expect(result.code).toBe(0);
    expectValidLines(result);
    const catalogs = ofType(result.messages, 'CATALOG');
    expect(catalogs).toHaveLength(1);
    const streams = catalogs[0]?.['catalog']['streams'] as Array<Record<string, any>>;
    expect(streams.length).toBeGreaterThanOrEqual(8);
    expect(new Set(streams.map((s) => s['name'])).size).toBe(streams.length);
    const ajv = new Ajv({ strict: false });
    for (const stream of streams) {
      const schema = stream['json_schema'];
      expect(ajv.validateSchema(schema), stream['name']).toBe(true);
      expect(schema.type).toBe('object');
      const text = JSON.stringify(schema);
      for (const forbidden of ['"$ref"', '"allOf"', '"not"']) expect(text).not.toContain(forbidden);
      if (schema.additionalProperties !== undefined) expect(schema.additionalProperties).toBe(true);
      expect(stream['supported_sync_modes'].length).toBeGreaterThan(0);
      for (const mode of stream['supported_sync_modes']) expect(['full_refresh', 'incremental']).toContain(mode);
      for (const path of stream['source_defined_primary_key'] as string[][]) {
        const property = schema.properties[path[0] as string];
        expect(property, `${stream['name']} key ${path.join('.')}`).toBeDefined();
        expect([property.type].flat()).not.toContain('object');
        expect([property.type].flat()).not.toContain('array');
      }
      if (stream['supported_sync_modes'].includes('incremental')) {
        expect(stream['source_defined_cursor']).toBe(true);
        expect(schema.properties[stream['default_cursor_field'][0]], `${stream['name']} cursor`).toBeDefined();
      }
      if (stream['is_resumable']) expect(typeof stream['source_defined_cursor']).toBe('boolean');
    }
  });
});

describe('Airbyte read (A2, A7, A8, A9)', () => {
  it('exits 0 and every line is a valid AirbyteMessage', () => {
    expect(first.code, first.stderr).toBe(0);
    expectValidLines(first);
  });

  it('emits records only for configured streams, each valid against its schema', async () => {
    const catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const now = Date.now();
    for (const message of ofType(first.messages, 'RECORD')) {
      const record = message['record'];
      const configured = catalog.streams.find((s: any) => s.stream.name === record.stream);
      expect(configured, record.stream).toBeDefined();
      expect(record.namespace).toBeUndefined();
      expect(Math.abs(record.emitted_at - now)).toBeLessThan(300_000);
      const validate = ajv.getSchema(record.stream) ?? (ajv.addSchema(configured.stream.json_schema, record.stream), ajv.getSchema(record.stream));
      expect(validate?.(record.data), `${record.stream}: ${JSON.stringify(validate?.errors)}`).toBe(true);
    }
    for (const name of Object.keys(ALL_MODES)) expect(recordsOf(first.messages, name).length, name).toBeGreaterThan(0);
  });

  it('STARTED, RUNNING, COMPLETE per stream and no record after the terminal status', () => {
    for (const name of Object.keys(ALL_MODES)) {
      const seen = statuses(first.messages, name);
      expect(seen[0], name).toBe('STARTED');
      expect(seen.at(-1), name).toBe('COMPLETE');
      expect(seen.slice(1, -1).every((s) => s === 'RUNNING')).toBe(true);
      expect(seen.length).toBeGreaterThanOrEqual(3);
      const terminal = first.messages.findIndex(
        (m) =>
          m['type'] === 'TRACE' && m['trace']['stream_status']?.['status'] === 'COMPLETE' && m['trace']['stream_status']['stream_descriptor']['name'] === name,
      );
      const lastRecord = first.messages.findLastIndex((m) => m['type'] === 'RECORD' && m['record']['stream'] === name);
      expect(lastRecord).toBeLessThan(terminal);
    }
  });

  it("STREAM states with exact recordCount, one after each stream's last record, no back-to-back duplicates", () => {
    const counted = new Map<string, number>();
    const lastState = new Map<string, string>();
    const lastWasState = new Map<string, boolean>();
    for (const message of first.messages) {
      if (message['type'] === 'RECORD') {
        const stream = message['record']['stream'];
        counted.set(stream, (counted.get(stream) ?? 0) + 1);
        lastWasState.set(stream, false);
      }
      if (message['type'] === 'STATE') {
        const state = message['state'];
        expect(state.type).toBe('STREAM');
        const stream = state.stream.stream_descriptor.name;
        expect(Object.keys(ALL_MODES)).toContain(stream);
        expect(state.sourceStats.recordCount).toBe(counted.get(stream) ?? 0);
        counted.set(stream, 0);
        const text = JSON.stringify(state.stream.stream_state);
        if (lastWasState.get(stream)) expect(text, `${stream} duplicate state`).not.toBe(lastState.get(stream));
        lastState.set(stream, text);
        lastWasState.set(stream, true);
      }
    }
    for (const name of Object.keys(ALL_MODES)) {
      expect(lastState.has(name), name).toBe(true);
      expect(counted.get(name) ?? 0, `${name} records after its last state`).toBe(0);
    }
  });

  it('records match the simulator: complete and without duplicate keys', () => {
    const truth = ws.sim.truth;
    // Ids compared as text: the API sends action ids as strings or integers (type drift).
    const ids = (stream: string) => recordsOf(first.messages, stream).map((r) => String(r['id']));
    expect(new Set(ids('campaigns'))).toEqual(new Set(truth.campaigns().map((c: any) => String(c.id))));
    const campaignActions = truth.campaigns().flatMap((c: any) => truth.campaignActions(c.id).map((a: any) => String(a.id)));
    expect(ids('campaigns_actions').sort()).toEqual([...campaignActions].sort());
    expect(ids('newsletters').sort()).toEqual(
      truth
        .newsletters()
        .map((n: any) => String(n.id))
        .sort(),
    );
    const people = recordsOf(first.messages, 'people').map((r) => r['cio_id']);
    expect(people.length).toBe(new Set(people).size);
    expect(new Set(people)).toEqual(new Set(truth.peopleCioIds()));
  });
});

describe('Airbyte full refresh and incremental (A11, A12, A13, A14)', () => {
  it('two full-refresh reads: read 2 emitted later, and contains read 1', async () => {
    const catalog = await configuredCatalog(ws.configPath, { campaigns: 'full_refresh', segments: 'full_refresh' });
    const { 'c.json': path } = writeFiles({ 'c.json': catalog });
    const one = await runCli(['read', '--config', ws.configPath, '--catalog', path as string]);
    const two = await runCli(['read', '--config', ws.configPath, '--catalog', path as string]);
    const times = (r: CliResult) => ofType(r.messages, 'RECORD').map((m) => m['record']['emitted_at'] as number);
    // Math.min() of nothing is Infinity: without records the comparison would hold whatever the tap did.
    expect(times(one).length).toBeGreaterThan(0);
    expect(times(two).length).toBeGreaterThan(0);
    expect(Math.min(...times(two))).toBeGreaterThan(Math.max(...times(one)));
    const keys = (r: CliResult) => new Set(ofType(r.messages, 'RECORD').map((m) => `${m['record']['stream']}:${m['record']['data']['id']}`));
    for (const key of keys(one)) expect(keys(two).has(key)).toBe(true);
  });

  it('second incremental read with the final states yields a different (smaller) record set and states', async () => {
    const { 's.json': statePath } = writeFiles({ 's.json': finalStates(first.messages) });
    const second = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath, '--state', statePath as string]);
    expect(second.code, second.stderr).toBe(0);
    expectValidLines(second);
    expect(ofType(second.messages, 'STATE').length).toBeGreaterThanOrEqual(Object.keys(ALL_MODES).length);
    // Every incremental core stream but messages, which reads its lookback window again.
    const smaller = Object.keys(ALL_MODES).filter((name) => ALL_MODES[name] === 'incremental' && name !== 'messages');
    expect(smaller.length).toBeGreaterThan(0);
    for (const name of smaller) {
      const before = recordsOf(first.messages, name);
      const after = recordsOf(second.messages, name);
      expect(after.length, name).toBeLessThan(before.length);
      // Nothing new on unchanged data: whatever comes again is a copy of what came before.
      const seen = new Set(before.map((r) => JSON.stringify(r)));
      for (const record of after) expect(seen.has(JSON.stringify(record)), name).toBe(true);
    }
  });

  it('replaying an intermediate messages checkpoint reads at least what came after it', async () => {
    const messagesOut = first.messages.filter(
      (m) =>
        (m['type'] === 'RECORD' && m['record']['stream'] === 'messages') ||
        (m['type'] === 'STATE' && m['state']['stream']['stream_descriptor']['name'] === 'messages'),
    );
    const total = messagesOut.filter((m) => m['type'] === 'RECORD').length;
    let counted = 0;
    let checkpoint: Record<string, any> | undefined;
    for (const m of messagesOut) {
      if (m['type'] === 'STATE') {
        counted += m['state']['sourceStats']['recordCount'];
        if (counted > 0 && counted < total) {
          checkpoint = m['state'];
          break;
        }
      }
    }
    expect(checkpoint, 'messages has an intermediate checkpoint').toBeDefined();
    const catalog = await configuredCatalog(ws.configPath, { messages: 'incremental' });
    const paths = writeFiles({ 'c.json': catalog, 's.json': [checkpoint] });
    const replay = await runCli(['read', '--config', ws.configPath, '--catalog', paths['c.json'] as string, '--state', paths['s.json'] as string]);
    const records = recordsOf(replay.messages, 'messages');
    expect(records.length).toBeGreaterThanOrEqual(total - counted);
    const lookback = 30 * 86_400;
    for (const record of records) expect(record['created']).toBeGreaterThanOrEqual(checkpoint?.['stream']['stream_state']['created'] - lookback);
  });

  it('far-future state: zero records, a state per stream, exit 0', async () => {
    const future = 4_102_444_800; // 2100-01-01
    const state = Object.entries(ALL_MODES)
      .filter(([, mode]) => mode === 'incremental')
      .map(([name]) => {
        const def = streamDef(name);
        const bookmark = { [def.cursor?.field as string]: future };
        // A child stream keeps a bookmark per parent; the one among the core streams is a campaign's.
        if (def.parent) expect(def.parent.stream.name, name).toBe('campaigns');
        const value = def.parent ? { partitions: Object.fromEntries(ws.sim.truth.campaigns().map((c: any) => [String(c.id), bookmark])) } : bookmark;
        return { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: value } };
      });
    const incrementalOnly = Object.fromEntries(Object.entries(ALL_MODES).filter(([, m]) => m === 'incremental'));
    const catalog = await configuredCatalog(ws.configPath, incrementalOnly as Record<string, 'incremental'>);
    const paths = writeFiles({ 'c.json': catalog, 's.json': state });
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', paths['c.json'] as string, '--state', paths['s.json'] as string]);
    expect(result.code, result.stderr).toBe(0);
    expect(ofType(result.messages, 'RECORD')).toHaveLength(0);
    for (const name of Object.keys(incrementalOnly)) {
      expect(
        result.messages.some((m) => m['type'] === 'STATE' && m['state']['stream']['stream_descriptor']['name'] === name),
        name,
      ).toBe(true);
    }
  });

  it('accepts an empty state array and a state naming unknown streams', async () => {
    const catalog = await configuredCatalog(ws.configPath, { segments: 'incremental' });
    const paths = writeFiles({
      'c.json': catalog,
      'empty.json': [],
      'unknown.json': [{ type: 'STREAM', stream: { stream_descriptor: { name: 'no_such_stream' }, stream_state: { x: 1 } } }],
    });
    for (const state of ['empty.json', 'unknown.json']) {
      const result = await runCli(['read', '--config', ws.configPath, '--catalog', paths['c.json'] as string, '--state', paths[state] as string]);
      expect(result.code, state).toBe(0);
      expect(recordsOf(result.messages, 'segments').length).toBe(ws.sim.truth.segments().length);
    }
  });
});

describe('Airbyte failures (A10, A15)', () => {
  it('a catalog with an unknown stream and an INVALID sync mode: TRACE ERROR config_error, exit != 0, no records', async () => {
    const paths = writeFiles({
      'c.json': {
        streams: [
          { stream: { name: 'not_a_stream', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'INVALID', destination_sync_mode: 'append' },
        ],
      },
    });
    const result = await runCli(['read', '--config', ws.configPath, '--catalog', paths['c.json'] as string]);
    expect(result.code).not.toBe(0);
    expectValidLines(result);
    const errors = ofType(result.messages, 'TRACE').filter((m) => m['trace']['type'] === 'ERROR');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]?.['trace']['error']['failure_type']).toBe('config_error');
    expect(errors[0]?.['trace']['error']['message']).toMatch(/not_a_stream/);
    expect(ofType(result.messages, 'RECORD')).toHaveLength(0);
    expect(ofType(result.messages, 'STATE')).toHaveLength(0);
  });

  it('a rejected key during read: TRACE ERROR config_error, exit != 0, no stack on stdout', async () => {
    const paths = writeFiles({ 'bad.json': { app_api_key: 'wrong-key-abcdef', base_url: ws.sim.url } });
    const result = await runCli(['read', '--config', paths['bad.json'] as string, '--catalog', catalogPath]);
    expect(result.code).not.toBe(0);
    expectValidLines(result);
    const errors = ofType(result.messages, 'TRACE').filter((m) => m['trace']['type'] === 'ERROR');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) expect(error['trace']['error']['failure_type']).toBe('config_error');
    expect(result.stdout).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });
});
