import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, test } from 'vitest';

/**
 * The simulator is a second program living in src/ (DESIGN.md, "Direction after the first
 * release"): it has its own entry file (src/simulator/bin.ts), imports nothing outside itself, and
 * only app/demo.ts and app/simulate.ts reach it, loaded by main.ts with a dynamic import so that
 * spec, check, discover and read never load it.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

const SIMULATOR = 'simulator/';
const GATES = ['app/demo.ts', 'app/simulate.ts'];

type Kind = 'static' | 'type' | 'dynamic';

interface Edge {
  /** Path under src/, with '/' separators. */
  from: string;
  specifier: string;
  /** Path under src/ of a relative specifier (.js read as .ts); null for packages and builtins. */
  to: string | null;
  kind: Kind;
}

function srcPath(absolute: string): string {
  return relative(SRC, absolute).split(sep).join('/');
}

/** Every import of one file: `import … from`, `import type`, `export … from`, `import('…')`, `import x = require('…')`. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined, kind: Kind): void => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      throw new Error(`${srcPath(file)}:${line + 1}: an import whose specifier is not a string literal cannot be checked`);
    }
    const spec = specifier.text;
    const to = spec.startsWith('.') ? srcPath(resolve(dirname(file), spec.replace(/\.js$/, '.ts'))) : null;
    edges.push({ from: srcPath(file), specifier: spec, to, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ? 'type' : 'static');
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node, node.moduleSpecifier, node.isTypeOnly ? 'type' : 'static');
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly ? 'type' : 'static');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0], 'dynamic');
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal, 'type');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

const files = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(SRC, f))
  .sort();
const edges = files.flatMap(importsOf);
const inSimulator = (path: string | null): boolean => path !== null && path.startsWith(SIMULATOR);
const show = (e: Edge): string => `${e.from} -> '${e.specifier}' (${e.kind})`;

/** Strongly connected components of more than one file (or a file importing itself): the import cycles. */
function cycles(nodes: readonly string[], next: (node: string) => readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next(v).includes(v)) found.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) strong(v);
  return found;
}

describe('the simulator fence, from the import statements of src/', () => {
  test('the parser sees the simulator and the gates (a sanity check of the checks below)', () => {
    expect(files.filter((f) => inSimulator(srcPath(f))).length).toBeGreaterThan(50);
    expect(edges.some((e) => e.from === 'simulator/bin.ts' && e.to === 'simulator/serve.ts')).toBe(true);
    expect(edges.some((e) => e.kind === 'type')).toBe(true);
  });

  test('only app/demo.ts and app/simulate.ts import from src/simulator/', () => {
    const intruders = edges.filter((e) => !inSimulator(e.from) && inSimulator(e.to) && !GATES.includes(e.from));
    expect(intruders.map(show)).toEqual([]);
  });

  test('only main.ts imports app/demo.ts and app/simulate.ts, and only with a dynamic import()', () => {
    const into = edges.filter((e) => e.to !== null && GATES.includes(e.to));
    expect(into.filter((e) => e.from !== 'main.ts' || e.kind !== 'dynamic').map(show)).toEqual([]);
    expect(into.map((e) => e.to).sort()).toEqual(GATES);
  });

  test('src/simulator/ imports nothing outside itself but node builtins and npm dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
    const packageName = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
    const allowed = (e: Edge): boolean =>
      e.to !== null
        ? inSimulator(e.to)
        : e.specifier.startsWith('node:') || builtinModules.includes(e.specifier) || dependencies.has(packageName(e.specifier));
    expect(edges.filter((e) => inSimulator(e.from) && !allowed(e)).map(show)).toEqual([]);
  });

  test('no import cycle inside src/simulator/, type imports included', () => {
    const simulatorFiles = files.map(srcPath).filter(inSimulator);
    const next = (file: string): string[] => edges.filter((e) => e.from === file && inSimulator(e.to)).map((e) => e.to as string);
    expect(cycles(simulatorFiles, next)).toEqual([]);
  });
});

describe('spec, check, discover and read load no simulator module (run against dist/)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simulator-fence-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A module hook that appends every resolved URL to the file named by FENCE_OUT.
  writeFileSync(
    join(dir, 'hooks.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'let out;',
      'export function initialize(data) { out = data.out; }',
      'export async function resolve(specifier, context, nextResolve) {',
      '  const result = await nextResolve(specifier, context);',
      '  appendFileSync(out, `${result.url}\\n`);',
      '  return result;',
      '}',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    "import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url), { data: { out: process.env.FENCE_OUT } });\n",
  );
  let runs = 0;

  /** The files under dist/simulator/ that node resolved while running `args`. */
  function simulatorModulesLoadedBy(args: string[]): string[] {
    if (!existsSync(join(DIST, 'main.js'))) throw new Error('dist/ is missing: run npm run build first');
    const out = join(dir, `resolved-${runs++}.txt`);
    writeFileSync(out, '');
    execFileSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, ...args], {
      cwd: ROOT,
      env: { ...process.env, FENCE_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const simulator = pathToFileURL(join(DIST, 'simulator')).href + '/';
    const loaded = readFileSync(out, 'utf8').split('\n').filter((url) => url.startsWith(simulator));
    return [...new Set(loaded)].map((url) => url.slice(simulator.length)).sort();
  }

  test('the hook sees the simulator when it is loaded (app/simulate.js), so the checks below can fail', () => {
    const loaded = simulatorModulesLoadedBy(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(DIST, 'app', 'simulate.js')).href)});`]);
    expect(loaded).toContain('serve.js');
    expect(loaded).toContain('server.js');
  });

  test('importing dist/main.js (every command but simulate and demo) loads nothing under dist/simulator/', () => {
    expect(simulatorModulesLoadedBy(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(DIST, 'main.js')).href)});`])).toEqual([]);
  });

  test('tap-customerio spec loads nothing under dist/simulator/', () => {
    expect(simulatorModulesLoadedBy([join(DIST, 'cli.js'), 'spec'])).toEqual([]);
  });
});
