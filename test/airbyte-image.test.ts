import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALL_STREAMS } from '../src/streams/index.js';
import { REPO_ROOT } from './helpers/cli.js';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const metadata = parse(readFileSync(join(REPO_ROOT, 'metadata.yaml'), 'utf8')) as { metadataSpecVersion: string; data: Record<string, any> };
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

/** The instructions of the final stage (what ships), with line continuations joined. */
function finalStage(): string[] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const from = lines.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0);
  return lines.slice(from.at(-1));
}

describe('Airbyte image and metadata (A16)', () => {
  const stage = finalStage();

  it('AIRBYTE_ENTRYPOINT is absolute and equals the space-joined ENTRYPOINT', () => {
    const env = stage.find((l) => l.startsWith('ENV AIRBYTE_ENTRYPOINT='));
    const value = JSON.parse(env?.slice('ENV AIRBYTE_ENTRYPOINT='.length) ?? 'null') as string;
    const entrypoint = JSON.parse(stage.find((l) => l.startsWith('ENTRYPOINT '))?.slice('ENTRYPOINT '.length) ?? '[]') as string[];
    expect(entrypoint.length).toBeGreaterThan(0);
    expect(value).toBe(entrypoint.join(' '));
    for (const part of entrypoint) expect(part.startsWith('/') || part.startsWith('--')).toBe(true);
  });

  it('runs node with the heap flags of the command-line entry point', () => {
    const entrypoint = JSON.parse(stage.find((l) => l.startsWith('ENTRYPOINT '))?.slice('ENTRYPOINT '.length) ?? '[]') as string[];
    const shebang = readFileSync(join(REPO_ROOT, 'src/cli.ts'), 'utf8').split('\n')[0] ?? '';
    const flags = shebang.split(/\s+/).filter((part) => part.startsWith('--'));
    expect(flags.length).toBeGreaterThan(0);
    expect(entrypoint.filter((part) => part.startsWith('--'))).toEqual(flags);
    expect(entrypoint.at(-1)).toMatch(/\/dist\/cli\.js$/);
  });

  it('labels match metadata.yaml, and the tag matches package.json', () => {
    const labels = Object.fromEntries(
      stage.filter((l) => l.startsWith('LABEL ')).flatMap((l) => [...l.slice(6).matchAll(/(\S+?)=(\S+)/g)].map((m) => [m[1], m[2]])),
    );
    expect(labels['io.airbyte.name']).toBe(metadata.data['dockerRepository']);
    expect(labels['io.airbyte.version']).toBe(metadata.data['dockerImageTag']);
    expect(metadata.data['dockerImageTag']).toBe(pkg.version);
  });

  it('runs as a non-root user with dist/ and production dependencies only', () => {
    const user = stage.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER\s+(root|0)\b/);
    const installs = stage.filter((l) => /npm (ci|install)/.test(l));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/--omit=dev/);
    const copies = stage.filter((l) => l.startsWith('COPY '));
    expect(copies.some((l) => /--from=\S+ \S*dist/.test(l))).toBe(true);
    // packages/ holds the simulator: the image carries none of it (test/architecture/published-tap.test.ts).
    for (const copy of copies) expect(copy).not.toMatch(/\b(src|test|node_modules|packages|simulator)\b/);
    expect(stage.some((l) => l.startsWith('WORKDIR /airbyte/integration_code'))).toBe(true);
  });

  it('metadata.yaml has the required fields with valid values', () => {
    const data = metadata.data;
    expect(metadata.metadataSpecVersion).toBeTruthy();
    for (const field of [
      'name',
      'definitionId',
      'connectorType',
      'dockerRepository',
      'dockerImageTag',
      'license',
      'documentationUrl',
      'githubIssueLabel',
      'connectorSubtype',
      'releaseStage',
    ]) {
      expect(data[field], field).toBeTruthy();
    }
    expect(data['definitionId']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(data['connectorType']).toBe('source');
    expect(['api', 'database', 'datalake', 'file', 'custom', 'message_queue', 'unknown', 'vectorstore']).toContain(data['connectorSubtype']);
    expect(['alpha', 'beta', 'generally_available', 'custom']).toContain(data['releaseStage']);
    expect(data['allowedHosts']['hosts']).toEqual(expect.arrayContaining(['api.customer.io', 'api-eu.customer.io']));
  });

  it('suggests only existing, non-personal streams', () => {
    const suggested = metadata.data['suggestedStreams']['streams'] as string[];
    expect(suggested.length).toBeGreaterThan(0);
    for (const name of suggested) {
      const def = ALL_STREAMS.find((d) => d.name === name);
      expect(def, name).toBeDefined();
      expect(def?.personalData, name).not.toBe(true);
    }
  });
});
