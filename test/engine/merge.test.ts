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

/** Collects every rejection nobody handled while `body` runs, and for a few ticks after it. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  try {
    await body();
    await new Promise((r) => setTimeout(r, 30));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('merge when a source fails or the consumer stops', () => {
  it('a sibling rejects while the consumer is busy with an item: the failure reaches the consumer, nothing is unhandled', async () => {
    async function* steady(): AsyncGenerator<string> {
      yield 'a1';
      await tick(5);
      yield 'a2';
    }
    async function* failing(): AsyncGenerator<string> {
      yield 'b1';
      await tick(1); // rejects while the consumer below is still busy with an item
      throw new Error('stopped');
    }
    let caught: unknown;
    const unhandled = await unhandledDuring(async () => {
      try {
        for await (const item of merge([steady(), failing()], 2)) {
          void item;
          await tick(20);
        }
      } catch (error) {
        caught = error;
      }
    });
    expect((caught as Error | undefined)?.message).toBe('stopped');
    expect(unhandled).toEqual([]);
  });

  it('a consumer that stops early leaves no pending pull unhandled, and every source is closed', async () => {
    const closed: string[] = [];
    const source = (name: string, failAfterMs: number) =>
      (async function* (): AsyncGenerator<string> {
        try {
          yield `${name}1`;
          await tick(failAfterMs);
          throw new Error(`${name} failed after the consumer left`);
        } finally {
          closed.push(name);
        }
      })();
    const unhandled = await unhandledDuring(async () => {
      for await (const item of merge([source('a', 2), source('b', 4), source('c', 6)], 3)) {
        void item;
        break;
      }
    });
    expect(unhandled).toEqual([]);
    expect(closed.sort()).toEqual(['a', 'b', 'c']);
  });
});
