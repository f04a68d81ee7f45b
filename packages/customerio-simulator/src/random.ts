/**
 * Stateless, seeded randomness. Every value the simulator serves is a pure function of
 * (seed, entity, index, draw number), so record k of any collection can be produced on demand
 * without generating records 0..k-1 first: that is what keeps a million messages free. The
 * entity tags, salts and lanes passed in here all live in tags.ts.
 */

// "lowbias32" (Chris Wellons): a cheap integer finaliser with good avalanche, enough for test data.
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** A uniformly distributed uint32 for one (seed, entity, index, salt) tuple. */
export function hash32(seed: number, entity: number, index: number, salt = 0): number {
  let h = mix32((seed + 0x9e3779b9) | 0);
  h = mix32(h ^ Math.imul(entity + 1, 0x85ebca6b));
  h = mix32(h ^ (index | 0) ^ Math.imul(Math.floor(index / 0x100000000), 0x27d4eb2f));
  return mix32(h ^ Math.imul(salt + 1, 0xc2b2ae35));
}

/**
 * A short sequence of draws for one record. `lane` separates independent aspects of the same
 * record (e.g. its static fields and its update schedule) so adding a field to one never shifts
 * the values of the other.
 */
export class Draw {
  private n = 0;
  private readonly tag: number;

  constructor(
    private readonly seed: number,
    entity: number,
    private readonly index: number,
    lane = 0,
  ) {
    this.tag = entity * 16 + lane;
  }

  u32(): number {
    return hash32(this.seed, this.tag, this.index, this.n++);
  }

  /** In [0, 1). */
  float(): number {
    return this.u32() / 0x100000000;
  }

  /** In [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** In [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Up to n distinct items, in the order of `items` (ids and tags never repeat in one list). */
  sample<T>(items: readonly T[], n: number): T[] {
    const chosen = new Set<number>();
    const want = Math.min(n, items.length);
    while (chosen.size < want) chosen.add(this.int(items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i] as T);
  }

  /** Picks by weight: `[['email', 6], ['push', 1]]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let x = this.float() * total;
    for (const [value, w] of choices) {
      x -= w;
      if (x < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  hex(chars: number): string {
    let out = '';
    while (out.length < chars) out += hex8(this.u32());
    return out.length === chars ? out : out.slice(0, chars);
  }
}

// Byte → two hex digits; toString(16) + padStart showed up in profiles of 1,000-message pages.
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A uint32 as 8 lowercase hex digits. */
export function hex8(x: number): string {
  return (
    (HEX_BYTE[(x >>> 24) & 255] as string) + (HEX_BYTE[(x >>> 16) & 255] as string) + (HEX_BYTE[(x >>> 8) & 255] as string) + (HEX_BYTE[x & 255] as string)
  );
}
