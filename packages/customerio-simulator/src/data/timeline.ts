import { hash32 } from '../random.js';

/**
 * Creation times of an append-only collection, strictly increasing with the index:
 * t(k) = first + k·step + jitter(k), jitter in [1, step − 1]. Consecutive times therefore differ by
 * at least 2 s, and "which indices fall in [a, b]" is arithmetic, not a search.
 * `first` is chosen so that exactly `countAtOrigin` items exist at the initial clock.
 */
export class Timeline {
  readonly step: number;
  readonly first: number;

  constructor(
    private readonly seed: number,
    private readonly entity: number,
    origin: number,
    span: number,
    countAtOrigin: number,
  ) {
    this.step = Math.floor(span / countAtOrigin);
    if (this.step < 2) throw new RangeError('a timeline needs at least 2 s between items');
    this.first = origin - countAtOrigin * this.step;
  }

  at(k: number): number {
    return this.first + k * this.step + 1 + (hash32(this.seed, this.entity, k, 0x7fff) % (this.step - 1));
  }

  /** Largest index with t(k) ≤ t, or −1. */
  lastAtOrBefore(t: number): number {
    if (t < this.first + 1) return -1;
    const k = Math.floor((t - this.first - 1) / this.step);
    return this.at(k) <= t ? k : k - 1;
  }

  /** Smallest index with t(k) ≥ t (may not exist yet at the current clock). */
  firstAtOrAfter(t: number): number {
    return this.lastAtOrBefore(t - 1) + 1;
  }
}
