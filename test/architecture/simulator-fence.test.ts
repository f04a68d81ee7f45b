import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, test } from 'vitest';

/**
 * The simulator is a program of its own in the workspace package customerio-simulator (DESIGN.md,
 * "Direction for the second release"): its entry file is its src/bin.ts, it imports nothing
 * outside its own src/, and the tap reaches it only by the package name, from app/demo.ts and
 * app/simulate.ts, loaded by main.ts with a dynamic import so that spec, check, discover and read
 * never load it. The tap's compiler sees src/ only; its tests, too, import the package by name.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const PACKAGE = join(ROOT, 'packages', 'customerio-simulator');
const PACKAGE_NAME = 'customerio-simulator';

const GATES = ['app/demo.ts', 'app/simulate.ts'];

type Kind = 'static' | 'type' | 'dynamic';

interface Edge {
  /** Path of the importing file under its root, with '/' separators. */
  from: string;
  specifier: string;
  /** Path under the same root of a relative specifier (.js read as .ts), '../…' when it leaves the root; null for packages and builtins. */
  to: string | null;
  kind: Kind;
}

function under(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}

/** Every import of one file: `import … from`, `import type`, `export … from`, `import('…')`, `import x = require('…')`. */
function importsOf(root: string, file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined, kind: Kind): void => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      throw new Error(`${under(root, file)}:${line + 1}: an import whose specifier is not a string literal cannot be checked`);
    }
    const spec = specifier.text;
    const to = spec.startsWith('.') ? under(root, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))) : null;
    edges.push({ from: under(root, file), specifier: spec, to, kind });
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

/** The .ts files under `dir` (no declaration files), sorted. */
function tsFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

const tapEdges = tsFiles(SRC).flatMap((file) => importsOf(SRC, file));
const SIM_SRC = join(PACKAGE, 'src');
const simulatorFiles = tsFiles(SIM_SRC);
const simulatorEdges = simulatorFiles.flatMap((file) => importsOf(SIM_SRC, file));
const TESTS = join(ROOT, 'test');
const testEdges = tsFiles(TESTS).flatMap((file) => importsOf(TESTS, file));
const leaves = (e: Edge): boolean => e.to !== null && (e.to === '..' || e.to.startsWith('../'));
const isPackage = (e: Edge): boolean => e.specifier === PACKAGE_NAME || e.specifier.startsWith(`${PACKAGE_NAME}/`);
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

describe('the simulator fence, from the import statements', () => {
  test('the parser sees the simulator and the gates (a sanity check of the checks below)', () => {
    expect(simulatorFiles.length).toBeGreaterThan(50);
    expect(simulatorEdges.some((e) => e.from === 'bin.ts' && e.to === 'serve.ts')).toBe(true);
    expect(
      tapEdges
        .filter(isPackage)
        .map((e) => e.from)
        .sort(),
    ).toEqual(expect.arrayContaining(GATES));
    expect(tapEdges.some((e) => e.kind === 'type')).toBe(true);
  });

  test('no file of src/ imports a path outside src/', () => {
    expect(tapEdges.filter(leaves).map(show)).toEqual([]);
  });

  test('only app/demo.ts and app/simulate.ts import customerio-simulator, by a dynamic import() or for types', () => {
    const wrong = tapEdges.filter((e) => isPackage(e) && (!GATES.includes(e.from) || e.kind === 'static'));
    expect(wrong.map(show)).toEqual([]);
  });

  test('only main.ts imports app/demo.ts and app/simulate.ts, and only with a dynamic import()', () => {
    const into = tapEdges.filter((e) => e.to !== null && GATES.includes(e.to));
    expect(into.filter((e) => e.from !== 'main.ts' || e.kind !== 'dynamic').map(show)).toEqual([]);
    expect(into.map((e) => e.to).sort()).toEqual(GATES);
  });

  test("the simulator imports nothing outside its src/ but node builtins and its package's dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
    const packageName = (spec: string): string =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    const allowed = (e: Edge): boolean =>
      e.to !== null ? !leaves(e) : e.specifier.startsWith('node:') || builtinModules.includes(e.specifier) || dependencies.has(packageName(e.specifier));
    expect(simulatorEdges.filter((e) => !allowed(e)).map(show)).toEqual([]);
  });

  test('no import cycle inside the simulator, type imports included', () => {
    const next = (file: string): string[] => simulatorEdges.filter((e) => e.from === file && e.to !== null && !leaves(e)).map((e) => e.to as string);
    expect(
      cycles(
        simulatorFiles.map((f) => under(SIM_SRC, f)),
        next,
      ),
    ).toEqual([]);
  });

  test("the tap's tests reach the simulator by its package name only, never by a path into packages/", () => {
    const intoPackages = testEdges.filter((e) => e.to !== null && resolve(TESTS, e.to).startsWith(join(ROOT, 'packages') + sep));
    expect(intoPackages.map(show)).toEqual([]);
    expect(testEdges.some(isPackage)).toBe(true);
  });
});

describe("the tap's compiler sees src/ only", () => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  );

  test('rootDir is src/, every file it compiles is under src/', () => {
    expect(parsed?.options.rootDir).toBe(
      SRC.replace(/[\\/]$/, '')
        .split(sep)
        .join('/'),
    );
    expect(parsed?.fileNames.length).toBeGreaterThan(50);
    expect(parsed?.fileNames.filter((f) => !resolve(f).startsWith(SRC + sep))).toEqual([]);
  });

  test("it has no project reference: a reference would let an import of the simulator's sources through as its declarations", () => {
    expect(parsed?.projectReferences ?? []).toEqual([]);
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

  /** The files of the simulator package (under its folder, symlink resolved) that node resolved while running `args`. */
  function simulatorModulesLoadedBy(args: string[]): string[] {
    if (!existsSync(join(DIST, 'main.js'))) throw new Error('dist/ is missing: run npm run build first');
    const out = join(dir, `resolved-${runs++}.txt`);
    writeFileSync(out, '');
    execFileSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, ...args], {
      cwd: ROOT,
      env: { ...process.env, FENCE_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const simulator = pathToFileURL(realpathSync(PACKAGE)).href + '/';
    const loaded = readFileSync(out, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith(simulator) || url.includes(`/node_modules/${PACKAGE_NAME}/`));
    return [...new Set(loaded)].map((url) => url.slice(simulator.length)).sort();
  }

  test('the hook sees the simulator when it is loaded by its package name, so the checks below can fail', () => {
    const loaded = simulatorModulesLoadedBy(['--input-type=module', '-e', `await import('${PACKAGE_NAME}');`]);
    expect(loaded).toContain('dist/serve.js');
    expect(loaded).toContain('dist/server.js');
  });

  test("the light entry demo loads (customerio-simulator/spawn) brings no server, data or route module into the tap's process", () => {
    const loaded = simulatorModulesLoadedBy(['--input-type=module', '-e', `await import('${PACKAGE_NAME}/spawn');`]);
    expect(loaded).toContain('dist/process.js');
    expect(loaded.filter((path) => /^dist\/(server|backend|serve)\.js$|^dist\/(data|routes|metrics|truth)\//.test(path))).toEqual([]);
  });

  test('importing dist/main.js (every command but simulate and demo) loads no simulator module', () => {
    expect(simulatorModulesLoadedBy(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(DIST, 'main.js')).href)});`])).toEqual([]);
  });

  test('tap-customerio spec loads no simulator module', () => {
    expect(simulatorModulesLoadedBy([join(DIST, 'cli.js'), 'spec'])).toEqual([]);
  });
});
