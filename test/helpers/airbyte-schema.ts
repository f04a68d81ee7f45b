import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { parse } from 'yaml';
import { REPO_ROOT } from './cli.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => void;
const PROTOCOL_FILE = join(REPO_ROOT, '..', 'shared', 'airbyte_protocol.yaml');

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

export function hasOfficialSchema(): boolean {
  return officialValidator() !== null;
}

/** Problems with one stdout message: official schema (when available) plus the pairing the schema does not enforce. */
export function airbyteMessageProblems(message: Record<string, any>): string[] {
  const problems: string[] = [];
  const key = PAYLOAD_KEY[message['type']];
  if (!key) problems.push(`unknown type ${String(message['type'])}`);
  else {
    if (message[key] === undefined) problems.push(`${message['type']} without ${key}`);
    for (const other of Object.values(PAYLOAD_KEY)) if (other !== key && other in message) problems.push(`${message['type']} also carries ${other}`);
  }
  if (message['type'] === 'RECORD' && !Number.isInteger(message['record']?.['emitted_at'])) problems.push('emitted_at is not an integer');
  const validate = officialValidator();
  if (validate && !validate(message)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
  return problems;
}
