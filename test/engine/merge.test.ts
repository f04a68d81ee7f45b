import { describe, expect, it } from 'vitest';
import { merge } from '../../src/engine/merge.js';

describe('merge', () => {
  it('yields every item of every source, at most `limit` running at once', async () => {
    let running = 0;
    let peak = 0;
    async function* source(n: number): AsyncGenerator<number> {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield n * 10 + i;
      }
      running--;
    }
    const out: number[] = [];
    for await (const item of merge([1, 2, 3, 4, 5].map(source), 2)) out.push(item);
    expect(out.sort((a, b) => a - b)).toEqual([10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52]);
    expect(peak).toBe(2);
  });

  it('keeps each source in order', async () => {
    async function* source(n: number): AsyncGenerator<string> {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        yield `${n}:${i}`;
      }
    }
    const out: string[] = [];
    for await (const item of merge([0, 1, 2].map(source), 3)) out.push(item);
    for (const n of [0, 1, 2]) expect(out.filter((x) => x.startsWith(`${n}:`))).toEqual([0, 1, 2, 3, 4].map((i) => `${n}:${i}`));
  });
});
