import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, ofType, recordsOf, REPO_ROOT, runCli, TEST_KEY, writeFiles } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

const project = parse(readFileSync(join(REPO_ROOT, 'examples', 'meltano.yml'), 'utf8')) as Record<string, any>;
const extractor = project['plugins']['extractors'][0] as Record<string, any>;
const TARGET = join(REPO_ROOT, 'test', 'helpers', 'target.mjs');

/** Meltano's select rules: deselect all, then `stream.property` globs, `!` to exclude. */
function applySelect(catalog: Record<string, any>, rules: string[]): Record<string, any> {
  const glob = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
  const parsed = rules.map((rule) => {
    const negated = rule.startsWith('!');
    const [stream, property = '*'] = rule.replace(/^!/, '').split('.');
    return { negated, stream: glob(stream as string), property: glob(property) };
  });
  for (const stream of catalog['streams']) {
    for (const entry of stream.metadata) {
      const isStream = entry.breadcrumb.length === 0;
      const property = isStream ? undefined : entry.breadcrumb[1];
      let selected = false;
      for (const rule of parsed) {
        if (!rule.stream.test(stream.tap_stream_id)) continue;
        if (isStream && !rule.negated) selected = true;
        if (!isStream && rule.property.test(property)) selected = !rule.negated;
      }
      entry.metadata.selected = selected;
    }
  }
  return catalog;
}

/** tap | target, as `meltano run` does; resolves with the target's last state line. */
function pipeline(args: string[]): Promise<{ tapCode: number | null; targetCode: number | null; state: string; targetLog: string }> {
  return new Promise((resolve) => {
    const tap = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const target = spawn(process.execPath, [TARGET], { stdio: ['pipe', 'pipe', 'pipe'] });
    tap.stdout.pipe(target.stdin);
    let state = '';
    let targetLog = '';
    target.stdout.on('data', (chunk: Buffer) => (state += chunk.toString()));
    target.stderr.on('data', (chunk: Buffer) => (targetLog += chunk.toString()));
    let tapCode: number | null = null;
    tap.on('close', (code) => (tapCode = code));
    target.on('close', (targetCode) => resolve({ tapCode, targetCode, state: state.trim(), targetLog }));
  });
}

let ws: TestWorkspace;
let configPath: string;
let catalogPath: string;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 });
  // Meltano writes the plugin's config, with the secret from the environment, into one file.
  configPath = writeFiles({ 'tap.config.json': { ...extractor['config'], app_api_key: TEST_KEY, base_url: ws.sim.url, requests_per_second: 100 } })[
    'tap.config.json'
  ] as string;
  const discovered = await runCli(['--config', configPath, '--discover']);
  expect(discovered.code, discovered.stderr).toBe(0);
  const catalog = applySelect(JSON.parse(discovered.stdout), extractor['select']);
  catalogPath = writeFiles({ 'tap.properties.json': catalog })['tap.properties.json'] as string;
}, 60_000);

afterAll(async () => ws.close());

describe('examples/meltano.yml, run the way Meltano runs it', () => {
  it('declares exactly the capabilities the tap reports', async () => {
    const about = JSON.parse((await runCli(['--about', '--format', 'json'])).stdout);
    expect([...extractor['capabilities']].sort()).toEqual([...about.capabilities].sort());
    const spec = JSON.parse(readFileSync(join(REPO_ROOT, 'spec.json'), 'utf8'));
    expect(extractor['settings'].length).toBeGreaterThan(0);
    for (const setting of extractor['settings']) expect(spec.connectionSpecification.properties[setting.name], setting.name).toBeDefined();
  });

  it('syncs only the selected streams and fields, with the stream map applied', async () => {
    const result = await runCli(['--config', configPath, '--catalog', catalogPath]);
    expect(result.code, result.stderr).toBe(0);
    const streams = new Set(ofType(result.messages, 'RECORD').map((m) => m['stream']));
    expect([...streams].sort()).toEqual(['campaign_metrics', 'campaigns', 'people', 'segment_memberships', 'segments']);
    for (const segment of recordsOf(result.messages, 'segments')) {
      expect(segment).not.toHaveProperty('description');
      expect(segment).toHaveProperty('name');
    }
    // changed_at, the replication key, is automatic: it comes whatever the selection says.
    for (const person of recordsOf(result.messages, 'people')) expect(Object.keys(person).sort()).toEqual(['attributes', 'changed_at', 'cio_id']);
    const members = recordsOf(result.messages, 'segment_memberships');
    expect(members.length).toBeGreaterThan(0);
    for (const member of members) {
      expect(member).not.toHaveProperty('email');
      expect(member['email_hash'] === null || /^[0-9a-f]{64}$/.test(member['email_hash'])).toBe(true);
    }
    expect(members.some((m) => m['email_hash'] !== null)).toBe(true);
  });

  it('tap | target: the target accepts every message and the state round-trips', async () => {
    const first = await pipeline(['--config', configPath, '--catalog', catalogPath]);
    expect(first.tapCode).toBe(0);
    expect(first.targetCode, first.targetLog).toBe(0);
    const state = JSON.parse(first.state);
    expect(state.bookmarks.campaigns.updated).toEqual(expect.any(Number));
    const { 'state.json': statePath } = writeFiles({ 'state.json': state });
    const second = await runCli(['--config', configPath, '--catalog', catalogPath, '--state', statePath as string]);
    expect(second.code, second.stderr).toBe(0);
    expect(recordsOf(second.messages, 'campaigns').length).toBeLessThan(ws.sim.truth.campaigns().length);
    expect(ofType(second.messages, 'STATE').at(-1)?.['value']['bookmarks']['campaigns']['updated']).toBeGreaterThanOrEqual(state.bookmarks.campaigns.updated);
  });
});
