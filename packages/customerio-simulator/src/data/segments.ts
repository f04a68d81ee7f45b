import { Draw } from '../random.js';
import { DAY } from '../scale.js';
import { Entity, ScheduleTag } from '../tags.js';
import { SEGMENT_NAMES, TAGS } from './text.js';
import { latestUpdate } from './schedule.js';

export interface SegmentRecord {
  id: number;
  deduplicate_id: string;
  name: string;
  description: string;
  state: string;
  progress: number | null;
  type: 'manual' | 'dynamic';
  tags: string[] | null;
  created_at: number;
  updated_at: number;
  conditions?: Record<string, unknown>;
}

/**
 * Membership is an arithmetic progression over the people indices, p_j = (start + j·stride) mod P
 * with gcd(stride, P) = 1: distinct members, O(1) per member, and an O(1) "is p a member?" test
 * through the modular inverse of the stride. Only these few numbers per segment are kept.
 */
interface SegmentShape {
  id: number;
  created: number;
  dynamic: boolean;
  size: number;
  start: number;
  stride: number;
  strideInverse: number;
}

export class Segments {
  private readonly shapes: SegmentShape[] = [];
  private readonly byId = new Map<number, number>();

  constructor(
    private readonly seed: number,
    count: number,
    private readonly peopleCount: number,
    origin: number,
  ) {
    const P = peopleCount;
    for (let k = 0; k < count; k++) {
      const draw = new Draw(seed, Entity.segment, k, 2);
      // Every fifth segment is empty (live: identifiers null, ids null, next "").
      // Segment #1 holds 40% of everyone so that large scale needs several 30000-member pages.
      let size = 0;
      if (k % 5 !== 0) size = k === 1 ? Math.floor(P * 0.4) : Math.max(1, Math.floor(P * (0.01 + draw.float() * 0.3)));
      let stride = P > 1 ? 1 + draw.int(P - 1) : 1;
      while (gcd(stride, P) !== 1) stride = (stride % (P - 1)) + 1;
      const id = 1 + k * 2 + draw.int(2);
      this.byId.set(id, k);
      this.shapes.push({
        id,
        created: origin - 700 * DAY + k * Math.floor((690 * DAY) / Math.max(1, count)),
        dynamic: draw.chance(0.7),
        size,
        start: P > 0 ? draw.int(P) : 0,
        stride,
        strideInverse: P > 1 ? modInverse(stride, P) : 0,
      });
    }
  }

  get count(): number {
    return this.shapes.length;
  }

  indexOfId(id: number): number {
    return this.byId.get(id) ?? -1;
  }

  idOf(k: number): number {
    return this.shape(k).id;
  }

  size(k: number): number {
    return this.shape(k).size;
  }

  /** People index of member j (0 ≤ j < size). */
  member(k: number, j: number): number {
    const s = this.shape(k);
    return (s.start + j * s.stride) % this.peopleCount;
  }

  isMember(k: number, p: number): boolean {
    const s = this.shape(k);
    // People created between syncs (data/people-changes.ts) join no segment.
    if (s.size === 0 || p >= this.peopleCount) return false;
    if (this.peopleCount === 1) return p === 0;
    const offset = (p - s.start + this.peopleCount) % this.peopleCount;
    return mulMod(offset, s.strideInverse, this.peopleCount) < s.size;
  }

  record(k: number, now: number): SegmentRecord {
    const s = this.shape(k);
    const draw = new Draw(this.seed, Entity.segment, k);
    const name = `${draw.pick(SEGMENT_NAMES)} ${k + 1}`;
    // Dynamic segments are rebuilt often, manual ones edited now and then.
    const update = latestUpdate(
      this.seed,
      ScheduleTag.segment,
      k,
      s.created,
      now,
      s.dynamic ? { staticShare: 0.1, minPeriod: 3600, maxPeriod: 3 * DAY } : { staticShare: 0.5, minPeriod: DAY, maxPeriod: 30 * DAY },
    );
    const building = s.dynamic && draw.chance(0.15);
    const tagCount = draw.int(3);
    const tags = tagCount === 0 ? null : draw.sample(TAGS, tagCount);
    const record: SegmentRecord = {
      id: s.id,
      deduplicate_id: `${s.id}:${update.at}`,
      name,
      description: s.dynamic ? `People matching the ${name.toLowerCase()} rules` : `Hand-picked list: ${name}`,
      state: building ? 'build' : s.dynamic ? 'finished' : 'events',
      progress: building ? draw.range(1, 99) : null,
      type: s.dynamic ? 'dynamic' : 'manual',
      tags,
      created_at: s.created,
      updated_at: update.at,
    };
    if (s.dynamic) {
      record.conditions = { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] };
    }
    return record;
  }

  private shape(k: number): SegmentShape {
    const s = this.shapes[k];
    if (s === undefined) throw new RangeError(`no segment #${k}`);
    return s;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

// Products of two numbers below 2^18 stay exact in doubles; split wider ones to stay exact.
function mulMod(a: number, b: number, m: number): number {
  if (a * b < Number.MAX_SAFE_INTEGER) return (a * b) % m;
  return Number((BigInt(a) * BigInt(b)) % BigInt(m));
}
