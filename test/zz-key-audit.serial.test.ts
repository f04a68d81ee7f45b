import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT_LOG_DIR, TEST_KEY } from './helpers/cli.js';

/** Runs last: everything every command of the suite printed, on both channels, without the key. */
describe('the whole suite\'s output', () => {
  it('never contains the App API key', () => {
    const files = readdirSync(OUTPUT_LOG_DIR);
    let bytes = 0;
    for (const file of files) {
      const text = readFileSync(join(OUTPUT_LOG_DIR, file), 'utf8');
      bytes += text.length;
      const at = text.indexOf(TEST_KEY);
      expect(at, `${file}: ${text.slice(Math.max(0, at - 300), at + 50)}`).toBe(-1);
    }
    // The suite ran hundreds of commands: this is not an empty check.
    expect(files.length).toBeGreaterThan(3);
    expect(bytes).toBeGreaterThan(10_000_000);
  });
});
