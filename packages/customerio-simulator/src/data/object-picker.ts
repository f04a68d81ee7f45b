import type { Draw } from '../random.js';
import type { World } from './world.js';

/** Picks distinct objects that exist now, of any type, at random. */
export class Picker {
  private readonly used = new Set<string>();

  constructor(
    private readonly world: World,
    private readonly draw: Draw,
  ) {}

  /** An object not picked before that exists and passes `accept`; throws `failure` when none is left. */
  pick(accept: (t: number, i: number) => boolean = () => true, failure = 'not enough objects in the workspace for this batch'): [t: number, i: number] {
    const objects = this.world.objects;
    const ok = (t: number, i: number): boolean => !this.used.has(`${t}:${i}`) && objects.exists(t, i) && accept(t, i);
    for (let tries = 0; tries < 64; tries++) {
      const t = this.draw.int(objects.typeCount);
      const i = this.draw.int(objects.size(t));
      if (ok(t, i)) return this.take(t, i);
    }
    // A crowded workspace: walk on from a random object to the next that fits.
    const sizes = Array.from({ length: objects.typeCount }, (_, t) => objects.size(t));
    const all = sizes.reduce((a, b) => a + b, 0);
    for (let n = 0, from = this.draw.int(Math.max(1, all)); n < all; n++) {
      let flat = (from + n) % all;
      let t = 0;
      while (flat >= (sizes[t] ?? 0)) flat -= sizes[t++] ?? 0;
      if (ok(t, flat)) return this.take(t, flat);
    }
    throw new Error(`changeObjects: ${failure}`);
  }

  private take(t: number, i: number): [number, number] {
    this.used.add(`${t}:${i}`);
    return [t, i];
  }
}
