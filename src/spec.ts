import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** spec.json is the one source of the config schema: Airbyte `spec`, Singer `--about` and validation all read it. */
export interface ConnectorSpec {
  documentationUrl: string;
  connectionSpecification: {
    properties: Record<string, SpecProperty>;
    required: string[];
    [key: string]: unknown;
  };
}

export interface SpecProperty {
  type: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: string[];
  airbyte_secret?: boolean;
  [key: string]: unknown;
}

export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

let cached: ConnectorSpec | undefined;

export function loadSpec(): ConnectorSpec {
  cached ??= JSON.parse(readFileSync(new URL('../spec.json', import.meta.url), 'utf8')) as ConnectorSpec;
  return cached;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
