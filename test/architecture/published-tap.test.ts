import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The published tap (what `npm pack` puts in the tarball, and what the Docker image copies: dist/,
 * spec.json, schemas/ and the production dependencies) carries none of the simulator, which is a
 * workspace package of the repository. Without it the tap still works, and `demo` and `simulate`
 * say what is missing instead of failing with a stack trace.
 */

interface PackResult {
  files: Array<{ path: string }>;
}

const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
) as PackResult[];
const files = (packed[0]?.files ?? []).map((f) => f.path).sort();

describe('npm pack of the tap', () => {
  it('lists the built tap, its spec and schemas (a sanity check of the test below)', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'spec.json', 'dist/cli.js', 'dist/main.js', 'dist/app/demo.js', 'dist/app/simulate.js', 'schemas/messages.json']),
    );
  });

  it('lists no simulator file', () => {
    expect(files.filter((path) => /simulator|FIDELITY|^packages\//i.test(path))).toEqual([]);
  });
});

describe('the tap installed as published, without the simulator', () => {
  let dir: string;
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const result = spawnSync(process.execPath, [join(dir, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'published-tap-'));
    for (const path of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      cpSync(join(REPO_ROOT, path), join(dir, path));
    }
    // The production dependencies, as `npm ci --omit=dev` would install them; node resolves
    // their own dependencies from where the links point.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    mkdirSync(join(dir, 'node_modules'));
    for (const name of Object.keys(pkg.dependencies)) symlinkSync(join(REPO_ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs spec', () => {
    const spec = run('spec');
    expect(spec.status).toBe(0);
    expect((JSON.parse(spec.stdout) as { type: string }).type).toBe('SPEC');
  });

  it.each([['demo'], ['simulate', '--port', '0']])('%s says the simulator is not installed and how to get it, exit 1, no stack trace', (...args) => {
    const result = run(...args);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: The simulator is not installed: .*customerio-simulator.*`npm ci`/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
