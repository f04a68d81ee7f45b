import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The tap's layers, checked on the source: no import cycle (type imports count: a cycle of types
 * is still a knot to untie), the engine imports no stream definition, and the engine names no
 * stream, config key or Customer.io path, so it runs whatever definitions it is given. The
 * simulator package's own source is checked for cycles by simulator-fence.test.ts.
 */
const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static, type-only and re-exports), as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1] as string);
  return found.map((spec) => relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
}

const files = sourceFiles(SRC).map((file) => relative(SRC, file));
const graph = new Map(files.map((file) => [file, importsOf(join(SRC, file))]));

/** Strongly connected components with more than one file (Tarjan). */
function cycles(nodes: string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w) || !nodes.includes(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return found;
}

describe('the import graph', () => {
  it('reads the whole source tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get('engine/sync.ts')?.length).toBeGreaterThan(3);
  });

  it('has no cycle', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('has the engine import no stream definition and no command', () => {
    const wrong = files
      .filter((f) => f.startsWith('engine/'))
      .flatMap((f) => (graph.get(f) ?? []).filter((to) => to.startsWith('streams/') || to.startsWith('app/')).map((to) => `${f} → ${to}`));
    expect(wrong).toEqual([]);
  });
});

describe('the engine is generic', () => {
  const spec = JSON.parse(readFileSync(join(REPO_ROOT, 'spec.json'), 'utf8')) as { connectionSpecification: { properties: Record<string, unknown> } };
  const names = [...ALL_STREAMS.map((def) => def.name), ...Object.keys(spec.connectionSpecification.properties)];
  const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // A name used by code: a string literal, or a property read. Plain English ("objects",
  // "region") in prose is not a reference; an API path or the vendor's name anywhere is.
  const used = (text: string, name: string): boolean => new RegExp(`['"\`]${escape(name)}['"\`]|\\.${escape(name)}\\b`).test(text);
  const engineFiles = files.filter((f) => f.startsWith('engine/'));

  it.each(engineFiles)('%s names no stream, config key or API path', (file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    const named = [...names.filter((name) => used(text, name)), ...['/v1/', 'Customer.io'].filter((word) => text.includes(word))];
    expect(named).toEqual([]);
  });

  it('would see a stream name or a config key used as code', () => {
    expect(used("if (def.name === 'messages')", 'messages')).toBe(true);
    expect(used('ctx.config.start_date', 'start_date')).toBe(true);
    expect(used('fetch the full objects in batches', 'objects')).toBe(false);
  });
});
