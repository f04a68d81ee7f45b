import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The simulator package's FIDELITY.md maps every quirk of the API facts to the simulator
 * behaviour that plays it, a simulator test and a tap test. A row whose test was renamed or moved
 * would claim a proof that no longer exists: every test it names must be a file that holds that
 * title. The simulator column names the package's tests (or, as `test/…`, a contract test of the
 * tap); the tap column names the tap's tests, from the repository root.
 */
const PACKAGE = join('packages', 'customerio-simulator');
const table = readFileSync(join(REPO_ROOT, PACKAGE, 'FIDELITY.md'), 'utf8');
const rows = table
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| quirk') && !line.startsWith('| variant') && !/^\|[-| ]+\|$/.test(line))
  .map((line) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
const quirkRows = rows.filter((cells) => cells.length === 4);

/** `file.test.ts › describe › title; other.test.ts › title`, each reference split apart. */
function references(cell: string, folder: string): Array<{ file: string; titles: string[] }> {
  return cell
    .split(/;\s+(?=[\w/.-]+\.test\.ts)/)
    .map((ref) => ref.trim())
    .filter((ref) => /\.test\.ts/.test(ref))
    .map((ref) => {
      const [file, ...titles] = ref.split(' › ').map((part) => part.replace(/\s*\(.*\)\s*$/, '').trim());
      const path = (file as string).startsWith('test/') ? (file as string) : join(folder, file as string);
      return { file: path, titles };
    });
}

/** A title is in the file as written, or as the template of an it.each / describe.each. */
function holds(source: string, title: string): boolean {
  const text = source.replace(/\\'/g, "'");
  const plain = title.replace(/\\\|/g, '|');
  if (text.includes(plain)) return true;
  // An it.each / describe.each title: a template whose %s took a label.
  const templates = [...text.matchAll(/(['`])((?:(?!\1).)*%s(?:(?!\1).)*)\1/g)].map((m) => m[2] as string);
  return templates.some((template) =>
    new RegExp(
      `^${template
        .split('%s')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.+')}$`,
    ).test(plain),
  );
}

describe('the fidelity table', () => {
  it('has a row for every quirk, each with four cells and a tap column filled', () => {
    expect(quirkRows.length).toBeGreaterThan(140);
    const empty = quirkRows.filter((cells) => cells[3] === '' || /TODO|MISSING/.test(cells[3] as string)).map((cells) => cells[0]);
    expect(empty).toEqual([]);
  });

  it('names only tests that exist, with their titles', () => {
    const missing: string[] = [];
    for (const cells of quirkRows) {
      for (const [cell, folder] of [
        [cells[2] as string, join(PACKAGE, 'test')],
        [cells[3] as string, 'test'],
      ] as const) {
        for (const ref of references(cell, folder)) {
          const path = join(REPO_ROOT, ref.file);
          if (!existsSync(path)) {
            missing.push(`${ref.file} (file) in row "${cells[0]?.slice(0, 50)}"`);
            continue;
          }
          const text = readFileSync(path, 'utf8');
          for (const title of ref.titles.slice(-1)) if (!holds(text, title)) missing.push(`${ref.file} › ${title.slice(0, 70)}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
