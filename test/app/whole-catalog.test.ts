import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { finalStates } from '../helpers/catalog.js';
import { ofType, recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * One table over the whole catalog: every stream's schema, its records as the simulator serves
 * them, its keys, its second incremental read, and what a 403 does to it.
 */
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => void;

interface AirbyteStream {
  name: string;
  json_schema: { type: string; properties: Record<string, { type: string | string[] }>; additionalProperties?: boolean };
  supported_sync_modes: string[];
  default_cursor_field?: string[];
  source_defined_primary_key: string[][];
}

let ws: TestWorkspace;
let streams: AirbyteStream[];
let catalogPath: string;
let first: CliResult;
let second: CliResult;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 }, { requests_per_second: 100 });
  const discovered = await runCli(['discover', '--config', ws.configPath]);
  streams = ofType(discovered.messages, 'CATALOG')[0]?.['catalog']['streams'];
  const configured = {
    streams: streams.map((stream) => ({
      stream,
      sync_mode: stream.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh',
      destination_sync_mode: 'append',
    })),
  };
  catalogPath = writeFiles({ 'c.json': configured })['c.json'] as string;
  first = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath], { timeoutMs: 170_000 });
  const { 's.json': statePath } = writeFiles({ 's.json': finalStates(first.messages) });
  second = await runCli(['read', '--config', ws.configPath, '--catalog', catalogPath, '--state', statePath as string], { timeoutMs: 170_000 });
}, 360_000);

afterAll(async () => ws.close());

const names = (): string[] => streams.map((s) => s.name);

describe('the whole catalog', () => {
  it('has every dataset', () => {
    expect(streams.length).toBeGreaterThanOrEqual(36);
    expect(names()).toEqual(ALL_STREAMS.map((def) => def.name));
    expect(first.code, first.stderr.slice(-2000)).toBe(0);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
  });

  it('each schema is a valid object schema with its key and cursor', () => {
    const ajv = new Ajv({ strict: false });
    for (const stream of streams) {
      const schema = stream.json_schema;
      expect(ajv.validateSchema(schema), stream.name).toBe(true);
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties, stream.name).toBe(true);
      for (const [key] of stream.source_defined_primary_key) {
        const property = schema.properties[key as string];
        expect(property, `${stream.name} key ${key}`).toBeDefined();
        expect([property?.type].flat(), `${stream.name} key ${key} nullable`).not.toContain('null');
      }
      if (stream.default_cursor_field) expect(schema.properties[stream.default_cursor_field[0] as string], `${stream.name} cursor`).toBeDefined();
    }
  });

  it('every stream reads records, every record validates, and keys are unique and non-null', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const stream of streams) {
      const validate: ValidateFunction = ajv.compile(stream.json_schema);
      const records = recordsOf(first.messages, stream.name);
      expect(records.length, `${stream.name} has records`).toBeGreaterThan(0);
      const keys = new Set<string>();
      for (const record of records) {
        expect(validate(record), `${stream.name}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(record).slice(0, 300)}`).toBe(true);
        const key = stream.source_defined_primary_key.map(([field]) => record[field as string]);
        // Neither null nor missing: not.toBeNull() alone lets a missing (undefined) part through.
        for (const part of key) expect(part === null || part === undefined, `${stream.name} key`).toBe(false);
        keys.add(JSON.stringify(key));
      }
      expect(keys.size, `${stream.name} duplicate keys`).toBe(records.length);
    }
  });

  it('an unchanged second incremental read emits nothing new', () => {
    for (const stream of streams.filter((s) => s.supported_sync_modes.includes('incremental'))) {
      const before = new Set(recordsOf(first.messages, stream.name).map((r) => JSON.stringify(r)));
      const after = recordsOf(second.messages, stream.name);
      for (const record of after) expect(before.has(JSON.stringify(record)), `${stream.name}: ${JSON.stringify(record).slice(0, 200)}`).toBe(true);
      expect(after.length, stream.name).toBeLessThanOrEqual(before.size);
    }
  });

  it('every stream ends COMPLETE with a state', () => {
    for (const name of names()) {
      const statuses = ofType(first.messages, 'TRACE')
        .filter((m) => m['trace']['type'] === 'STREAM_STATUS' && m['trace']['stream_status']['stream_descriptor']['name'] === name)
        .map((m) => m['trace']['stream_status']['status']);
      expect(statuses.at(-1), name).toBe('COMPLETE');
      expect(
        first.messages.some((m) => m['type'] === 'STATE' && m['state']['stream']['stream_descriptor']['name'] === name),
        name,
      ).toBe(true);
    }
  });
});

describe('a 403 on one area', () => {
  it('fails only the streams of that area, with INCOMPLETE and a TRACE naming the scope', async () => {
    const blocked = await testWorkspace({ scale: 'small', rateLimit: 0, forbidden: ['/v1/segments'] }, { requests_per_second: 100 });
    try {
      const result = await runCli(['read', '--config', blocked.configPath, '--catalog', catalogPath], { timeoutMs: 170_000 });
      expect(result.code).not.toBe(0);
      const terminal = new Map<string, string>();
      for (const m of ofType(result.messages, 'TRACE')) {
        if (m['trace']['type'] === 'STREAM_STATUS')
          terminal.set(m['trace']['stream_status']['stream_descriptor']['name'], m['trace']['stream_status']['status']);
      }
      // Every stream of the Segments area of access (the scope in its definition), and only those.
      const segmentStreams = ALL_STREAMS.filter((def) => def.scope === 'Segments').map((def) => def.name);
      expect(segmentStreams).toEqual(expect.arrayContaining(['segments', 'segment_memberships', 'segment_usage']));
      for (const name of names()) expect(terminal.get(name), name).toBe(segmentStreams.includes(name) ? 'INCOMPLETE' : 'COMPLETE');
      for (const name of segmentStreams) {
        const trace = ofType(result.messages, 'TRACE').find(
          (m) => m['trace']['type'] === 'ERROR' && m['trace']['error']['stream_descriptor']?.['name'] === name,
        );
        expect(trace?.['trace']['error']['message'], name).toMatch(/403/);
        expect(trace?.['trace']['error']['message'], name).toMatch(/Segments/);
        expect(trace?.['trace']['error']['failure_type']).toBe('config_error');
      }
    } finally {
      await blocked.close();
    }
  });
});

describe('streams with a twist', () => {
  it('sender_identities: hidden and visible senders, each once', () => {
    const ids = recordsOf(first.messages, 'sender_identities').map((r) => r['id']);
    const truth = ws.sim.truth.senderIdentities();
    expect(truth.some((s: any) => s.hidden)).toBe(true);
    expect(ids.sort()).toEqual(truth.map((s: any) => s.id).sort());
  });

  it('esp_suppressions: all four lists, with their type', () => {
    const rows = recordsOf(first.messages, 'esp_suppressions');
    for (const type of ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const) {
      expect(rows.filter((r) => r['suppression_type'] === type).length, type).toBe(ws.sim.truth.suppressions(type).length);
    }
  });

  it('reporting_webhooks: endpoints without credentials', () => {
    const served = ws.sim.truth.reportingWebhooks();
    expect(served.some((w: any) => /@|token=/.test(w.endpoint))).toBe(true);
    const hooks = recordsOf(first.messages, 'reporting_webhooks');
    expect(hooks.length).toBe(served.length);
    for (const hook of hooks) {
      expect(hook['endpoint']).not.toMatch(/\/\/[^/]*@/);
      expect(hook['endpoint']).not.toMatch(/token=/);
      expect(new URL(hook['endpoint']).host).toBe(new URL(served.find((w: any) => w.id === hook['id'])?.endpoint as string).host);
    }
  });

  it('objects: every object of every type once, although the search repeats some', () => {
    const rows = recordsOf(first.messages, 'objects');
    const expected = ws.sim.truth.objectTypes().flatMap((t: any) => ws.sim.truth.objects(t.id).map((o: any) => `${t.id}/${o.identifiers.object_id}`));
    expect(rows.map((r) => `${r['object_type_id']}/${r['object_id']}`).sort()).toEqual(expected.sort());
  });

  it('broadcast_actions: follows a next token when the API sends one', () => {
    // Action ids come as strings or integers (type drift); the schema declares text.
    const expected = ws.sim.truth.broadcasts().flatMap((b: any) => ws.sim.truth.broadcastActions(b.id).map((a: any) => String(a.id)));
    expect(
      recordsOf(first.messages, 'broadcast_actions')
        .map((r) => r['id'])
        .sort(),
    ).toEqual([...expected].sort());
  });
});
