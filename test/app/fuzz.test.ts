import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { TEST_KEY, writeFiles } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * Hundreds of mutated config, catalog and state files fed to every command, in process: never a
 * stack trace on stdout, a rejection always exits non-zero naming the file and the problem, and
 * a rejected input never produces a STATE.
 */
let ws: TestWorkspace;
let base: {
  config: Record<string, unknown>;
  airbyteCatalog: Record<string, any>;
  singerCatalog: Record<string, any>;
  airbyteState: unknown[];
  singerState: unknown;
};

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  3.5,
  '',
  'x'.repeat(100_000),
  '💥\u0000\u202e',
  [],
  {},
  [1, 'a'],
  { nested: { deep: [null] } },
  'ENV',
  '../../etc/passwd',
];

/** One mutation of a JSON value, returned as file text. */
function mutate(value: unknown, rnd: () => number): string {
  const text = JSON.stringify(value);
  const pick = <T>(items: T[]): T => items[Math.floor(rnd() * items.length)] as T;
  switch (Math.floor(rnd() * 8)) {
    case 0:
      return text.slice(0, Math.floor(rnd() * text.length)); // truncated
    case 1:
      return JSON.stringify(pick(ODD_VALUES)); // the whole file is something else
    case 2:
      return text.replace(/"[^"]*"/, '"\u00e9\u0301💥"'); // unicode in a key or value
    default: {
      // Change, drop or add one field somewhere in the structure.
      const copy = JSON.parse(text) as unknown;
      const containers: Array<Record<string, unknown> | unknown[]> = [];
      const walk = (node: unknown): void => {
        if (node && typeof node === 'object') {
          containers.push(node as Record<string, unknown>);
          for (const child of Object.values(node)) walk(child);
        }
      };
      walk(copy);
      const target = pick(containers);
      if (!target) return JSON.stringify(pick(ODD_VALUES));
      const keys = Object.keys(target);
      const key = keys.length > 0 && rnd() < 0.8 ? pick(keys) : `unexpected_${Math.floor(rnd() * 100)}`;
      if (rnd() < 0.25 && !Array.isArray(target)) delete (target as Record<string, unknown>)[key];
      else (target as Record<string, unknown>)[key] = pick(ODD_VALUES);
      return JSON.stringify(copy);
    }
  }
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInProcess(argv, { host: ws.sim.url, clock: systemClock });
}

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 });
  const airbyteCatalog = (await configuredCatalog(ws.configPath, { segments: 'full_refresh', campaigns: 'incremental' })) as Record<string, any>;
  base = {
    config: { app_api_key: TEST_KEY, base_url: ws.sim.url, requests_per_second: 100, start_date: '2025-01-01T00:00:00Z' },
    airbyteCatalog,
    singerCatalog: { streams: [{ tap_stream_id: 'segments', schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true } }] }] },
    airbyteState: [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: 1_700_000_000 } } }],
    singerState: { bookmarks: { campaigns: { updated: 1_700_000_000 } } },
  };
});

afterAll(async () => ws.close());

type Kind = 'config' | 'catalog' | 'state';

function commands(kind: Kind, files: Record<string, string>): string[][] {
  const { config, airbyteCatalog, singerCatalog, airbyteState, singerState } = files as Record<string, string>;
  if (kind === 'config') {
    return [
      ['check', '--config', config as string],
      ['discover', '--config', config as string],
      ['read', '--config', config as string, '--catalog', airbyteCatalog as string],
      ['--config', config as string, '--discover'],
      ['--config', config as string, '--catalog', singerCatalog as string],
    ];
  }
  if (kind === 'catalog') {
    return [
      ['read', '--config', config as string, '--catalog', airbyteCatalog as string],
      ['--config', config as string, '--catalog', singerCatalog as string],
    ];
  }
  return [
    ['read', '--config', config as string, '--catalog', airbyteCatalog as string, '--state', airbyteState as string],
    ['--config', config as string, '--catalog', singerCatalog as string, '--state', singerState as string],
  ];
}

describe.each<[Kind, number]>([
  ['config', 60],
  ['catalog', 80],
  ['state', 80],
])('mutated %s files', (kind, cases) => {
  it(`${cases} mutations through every command that reads one`, { timeout: 180_000 }, async () => {
    const rnd = random(kind.length * 7919);
    let rejected = 0;
    for (let i = 0; i < cases; i++) {
      const texts: Record<string, string> = {
        config: JSON.stringify(base.config),
        airbyteCatalog: JSON.stringify(base.airbyteCatalog),
        singerCatalog: JSON.stringify(base.singerCatalog),
        airbyteState: JSON.stringify(base.airbyteState),
        singerState: JSON.stringify(base.singerState),
      };
      const mutated = kind === 'config' ? ['config'] : kind === 'catalog' ? ['airbyteCatalog', 'singerCatalog'] : ['airbyteState', 'singerState'];
      for (const name of mutated) texts[name] = mutate(JSON.parse(texts[name] as string), rnd);
      const files = writeFiles(Object.fromEntries(Object.entries(texts).map(([k, v]) => [`${k}.json`, v])));
      const paths = Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace(/\.json$/, ''), v]));
      for (const argv of commands(kind, paths)) {
        const result = await run(argv);
        const label = `${argv.join(' ')}\n${mutated.map((m) => texts[m]?.slice(0, 200)).join('\n')}`;
        expect(result.stdout, label).not.toMatch(/\n\s+at .+:\d+:\d+/);
        expect(result.stdout.includes(TEST_KEY) || result.stderr.includes(TEST_KEY), label).toBe(false);
        const airbyte = !argv[0]?.startsWith('--');
        if (airbyte) for (const line of result.stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line), label).not.toThrow();
        // Rejected input, as opposed to a valid file the API then refuses (a key of "ENV" gets a 401).
        const inputError =
          /CONFIG_INVALID|CATALOG_INVALID|STATE_INVALID|USAGE|^Error: /m.test(result.stdout + result.stderr) && !/"type":"RECORD"/.test(result.stdout);
        if (result.code !== 0 && inputError && !/"type":"(RECORD)"|"type":"SCHEMA"/.test(result.stdout)) {
          rejected++;
          // Names the file it could not use (or, for check, reports FAILED naming the problem).
          const text = result.stdout + result.stderr;
          const named = mutated.some((m) => text.includes(paths[m] as string)) || text.includes(paths['config'] as string) || /Error: /.test(result.stderr);
          expect(named, label).toBe(true);
          expect(result.stdout, `${label}: a STATE from rejected input`).not.toMatch(/"type":"STATE"/);
        }
      }
    }
    expect(rejected).toBeGreaterThan(cases / 4);
  });
});
