import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';
import { STREAM_TABLE_HEADER, streamTableRows } from './helpers/stream-table.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('lists every stream with its key, cursor, sync modes, endpoint and personal-data flag, as defined', () => {
    const table = [...STREAM_TABLE_HEADER, ...streamTableRows()].join('\n');
    const start = readme.indexOf('<!-- streams:start -->');
    const end = readme.indexOf('<!-- streams:end -->');
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, end).trim()).toBe(`<!-- streams:start -->\n${table}`);
  });

  it('keeps the two Quickstart command lines and runs its test command in CI', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/npm ci/);
    expect(ci).toMatch(/npm test/);
  });

  it('documents every config key of spec.json', () => {
    const spec = JSON.parse(readFileSync(join(REPO_ROOT, 'spec.json'), 'utf8'));
    for (const key of Object.keys(spec.connectionSpecification.properties)) expect(readme).toContain(`| \`${key}\` |`);
  });
});
