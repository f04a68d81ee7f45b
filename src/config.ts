import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { TapError } from './errors.js';
import { loadSpec } from './spec.js';
import { nearestName } from './near-miss.js';

export type Region = 'us' | 'eu' | 'auto';

export interface TapConfig {
  app_api_key: string;
  region: Region;
  start_date?: string;
  end_date?: string;
  base_url?: string;
  requests_per_second: number;
  messages_lookback_days: number;
  metrics_resolution: 'hours' | 'days' | 'weeks' | 'months';
  metrics_lookback_days: number;
  metrics_full_every_hours: number;
  stream_maps?: unknown;
  request_timeout_seconds: number;
  state_every_records: number;
  state_every_seconds: number;
  people_source: 'search' | 'export' | 'auto';
  people_export_threshold: number;
  people_export_attributes?: string[];
  export_timeout_minutes: number;
  emit_deletes: boolean;
  deletes_max_keys: number;
  people_full_every_days: number;
  objects_full_every_days: number;
}

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => void;

/** Validates against spec.json, applies defaults, and explains each problem by field name and fix. */
export function validateConfig(raw: unknown, source = 'config'): TapConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TapError('CONFIG_INVALID', `The ${source} must be a JSON object, got ${describe(raw)}`, {
      hint: 'Write an object such as {"app_api_key": "…", "region": "us"}',
    });
  }
  const spec = loadSpec().connectionSpecification;
  const known = Object.keys(spec.properties);
  const config = { ...(raw as Record<string, unknown>) };

  for (const key of Object.keys(config)) {
    if (known.includes(key) || key.startsWith('_')) continue;
    const suggestion = nearestName(key, known);
    if (suggestion) {
      throw new TapError('CONFIG_INVALID', `Unknown key "${key}" in the ${source}`, {
        hint: `Did you mean "${suggestion}"? Rename the key`,
      });
    }
    // Unrelated unknown keys (a newer tap's settings, orchestrator metadata) are tolerated.
    delete config[key];
  }
  // Orchestrators write empty strings for unset optional settings.
  for (const key of ['start_date', 'end_date', 'base_url'] as const) if (config[key] === '') delete config[key];

  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(spec);
  if (!validate(config)) {
    const problems = (validate.errors ?? []).map((error) => explain(error, spec.properties));
    const unique = [...new Set(problems)];
    throw new TapError('CONFIG_INVALID', `The ${source} is invalid: ${unique.map((p) => p.problem).join('; ')}`, {
      hint: unique.map((p) => p.fix).join('; '),
    });
  }
  const typed = config as unknown as TapConfig;
  for (const key of ['start_date', 'end_date'] as const) {
    const value = typed[key];
    if (value !== undefined && !isRealDate(value)) {
      throw new TapError('CONFIG_INVALID', `${key} "${value}" is not a real date`, { hint: 'Use an RFC 3339 timestamp such as 2025-01-01T00:00:00Z' });
    }
  }
  if (typed.start_date !== undefined && typed.end_date !== undefined && Date.parse(typed.end_date) <= Date.parse(typed.start_date)) {
    throw new TapError('CONFIG_INVALID', `end_date ${typed.end_date} is not after start_date ${typed.start_date}`, {
      hint: 'Set end_date later than start_date, or remove it to read up to now',
    });
  }
  if (typed.base_url !== undefined) checkBaseUrl(typed.base_url);
  return typed;
}

/** Date.parse rolls 2025-02-30 over to March; a date is real when its fields survive the round trip. */
function isRealDate(value: string): boolean {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})/.exec(value) ?? [];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() + 1 === Number(month) && date.getUTCDate() === Number(day);
}

function checkBaseUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TapError('CONFIG_INVALID', `base_url "${value}" is not a URL`, {
      hint: 'Use an http(s) URL such as https://proxy.example.com, or remove base_url',
    });
  }
  if (url.username || url.password) {
    throw new TapError('CONFIG_INVALID', 'base_url must not carry credentials', {
      hint: 'Remove the user:password@ part; the tap sends the App API key as a bearer token',
    });
  }
  if (url.search || url.hash) {
    throw new TapError('CONFIG_INVALID', 'base_url must not carry a query string or fragment', {
      hint: 'Give only scheme, host, port and an optional path prefix',
    });
  }
}

interface Explained {
  problem: string;
  fix: string;
}

function explain(error: ErrorObject, properties: Record<string, { enum?: string[] }>): Explained {
  // Values are never echoed: a wrong value may be the key itself.
  const field = error.instancePath.replace(/^\//, '') || String(error.params['missingProperty'] ?? '');
  switch (error.keyword) {
    case 'required':
      return { problem: `${field} is missing`, fix: `Add "${field}" (see README, Configuration)` };
    case 'type':
      return { problem: `${field} must be a ${String(error.params['type'])}`, fix: `Give ${field} a ${String(error.params['type'])} value` };
    case 'enum':
      return { problem: `${field} must be one of ${(properties[field]?.enum ?? []).join(', ')}`, fix: `Set ${field} to one of those values` };
    case 'format':
    case 'pattern':
      if (field === 'start_date' || field === 'end_date') {
        return { problem: `${field} is not an RFC 3339 timestamp`, fix: 'Use a timestamp such as 2025-01-01T00:00:00Z' };
      }
      if (field === 'base_url') {
        return { problem: 'base_url must start with http:// or https://', fix: 'Use a URL such as https://proxy.example.com' };
      }
      return { problem: `${field} has the wrong format`, fix: `Correct ${field}` };
    default:
      return {
        problem: `${field} ${error.message ?? 'is invalid'}`,
        fix: `Correct ${field}`,
      };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Every string the spec marks airbyte_secret: what must never reach any output. */
export function secretsOf(config: Partial<TapConfig> | Record<string, unknown>): string[] {
  const properties = loadSpec().connectionSpecification.properties;
  return Object.entries(config)
    .filter(([key, value]) => properties[key]?.airbyte_secret === true && typeof value === 'string' && value.length > 0)
    .map(([, value]) => value as string);
}
