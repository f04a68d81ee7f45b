import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { DeletedParentSalt, DriftField, EmptyPageScope, Entity, LeafKindTag, LinkOwner, MetricsTag, ScheduleTag, Tag } from '../src/tags.js';

/** The values that appear more than once in `lists`, with the names that share each. */
function clashes(lists: Record<string, Record<string, number>>): string[] {
  const seen = new Map<number, string[]>();
  for (const [list, tags] of Object.entries(lists)) {
    for (const [name, value] of Object.entries(tags)) seen.set(value, [...(seen.get(value) ?? []), `${list}.${name}`]);
  }
  return [...seen].filter(([, names]) => names.length > 1).map(([value, names]) => `${value}: ${names.join(', ')}`);
}

describe('random-stream tags (src/tags.ts)', () => {
  test('the entity tags of Entity, Tag and MetricsTag are all distinct', () => {
    expect(clashes({ Entity, Tag, MetricsTag })).toEqual([]);
  });

  test.each([
    ['ScheduleTag', ScheduleTag],
    ['DriftField', DriftField],
    ['DeletedParentSalt', DeletedParentSalt],
    ['EmptyPageScope', EmptyPageScope],
    ['LinkOwner', LinkOwner],
    ['LeafKindTag', LeafKindTag],
  ] as const)('%s: the salts or lanes of one entity are distinct', (name, tags) => {
    expect(clashes({ [name]: tags })).toEqual([]);
  });

  test('schedule lanes are Draw lanes (0..15)', () => {
    for (const lane of Object.values(ScheduleTag)) expect(lane >= 0 && lane <= 15 && Number.isInteger(lane)).toBe(true);
  });

  test('no simulator file passes a number literal as the entity of hash32 or Draw: every tag comes from tags.ts', () => {
    const root = fileURLToPath(new URL('../src', import.meta.url));
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(root, f));
    const literal = /(?:hash32|new Draw)\(\s*[^,()]+,\s*(?:0x[0-9a-f]+|[0-9][0-9_]*)\s*[,)]/gi;
    const found = files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(literal)].map((m) => `${relative(root, file)}: ${m[0]}`));
    expect(found).toEqual([]);
  });
});
