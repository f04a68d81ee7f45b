import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './cli.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => void;
export const PROTOCOL_FILE = join(REPO_ROOT, '..', 'shared', 'airbyte_protocol.yaml');

/**
 * Whether the official protocol schema is beside the clone. A clean clone has no ../shared, and
 * its suite must still pass; CI has it (.ci/run runs with a copy of shared/ beside the clone).
 */
export const HAS_OFFICIAL_SCHEMA = existsSync(PROTOCOL_FILE);

/** A title that says, when the schema is absent, why its test is skipped: a skip must show, never pass. */
export function officialSchemaTitle(title: string): string {
  return HAS_OFFICIAL_SCHEMA ? title : `${title} (skipped: ../shared/airbyte_protocol.yaml is absent)`;
}

const inCi = (): boolean => {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
};

/** In CI the schema must be there: otherwise every official check would be skipped and CI would still pass. */
export function ciRequiresOfficialSchema(): void {
  it.runIf(inCi())('in CI, ../shared/airbyte_protocol.yaml is present, so the official protocol checks ran', () => {
    expect(existsSync(PROTOCOL_FILE), `${PROTOCOL_FILE} is missing: CI must run with shared/ beside the clone`).toBe(true);
  });
}

const PAYLOAD_KEY: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

let validator: ValidateFunction | null | undefined;

/** The official AirbyteMessage schema, when ../shared/airbyte_protocol.yaml is present (it is not on every clone). */
function officialValidator(): ValidateFunction | null {
  if (validator !== undefined) return validator;
  if (!existsSync(PROTOCOL_FILE)) return (validator = null);
  const schema = parse(readFileSync(PROTOCOL_FILE, 'utf8')) as Record<string, any>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(schema);
  validator = ajv.compile({ $ref: `${String(schema['$id'])}#/definitions/AirbyteMessage` });
  return validator;
}

/** Problems with one stdout message: official schema (when available) plus the pairing the schema does not enforce. */
export function airbyteMessageProblems(message: Record<string, any>): string[] {
  const validate = officialValidator();
  return [...pairingProblems(message), ...(validate ? officialProblems(message) : [])];
}

/** What the official schema does not enforce: one payload, matching its type; integer emitted_at. */
export function pairingProblems(message: Record<string, any>): string[] {
  const problems: string[] = [];
  const key = PAYLOAD_KEY[message['type']];
  if (!key) problems.push(`unknown type ${String(message['type'])}`);
  else {
    if (message[key] === undefined) problems.push(`${message['type']} without ${key}`);
    for (const other of Object.values(PAYLOAD_KEY)) if (other !== key && other in message) problems.push(`${message['type']} also carries ${other}`);
  }
  if (message['type'] === 'RECORD' && !Number.isInteger(message['record']?.['emitted_at'])) problems.push('emitted_at is not an integer');
  return problems;
}

/** Where one message departs from the official AirbyteMessage schema; only for tests that run when it is present. */
export function officialProblems(message: Record<string, any>): string[] {
  const validate = officialValidator();
  if (!validate) throw new Error(`${PROTOCOL_FILE} is absent: skip this test with it.skipIf(!HAS_OFFICIAL_SCHEMA)`);
  return validate(message) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
