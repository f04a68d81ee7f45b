import { Draw, hash32 } from '../random.js';
import { DAY } from '../scale.js';
import { Tag } from '../tags.js';
import { inverseMod2p32 } from './ids.js';
import { applyObjectChanges, emptyObject, ObjectChanges } from './object-changes.js';
import type { ObjectIdentifiers, ObjectRecord } from './object-record.js';
import { COUNTRIES, PLANS } from './text.js';

/** A GET /v1/object_types item; `id` is a numeric string (§5.10, §7.4). */
export interface ObjectTypeRecord {
  id: string;
  name: string;
  singular_name: string;
  slug: string;
  singular_slug: string;
  icon: string;
  enabled: boolean;
}

export type { ObjectIdentifiers, ObjectRecord } from './object-record.js';

const TYPES: readonly (readonly [name: string, singular: string, icon: string, prefix: string])[] = [
  ['Companies', 'Company', 'building', 'co'],
  ['Accounts', 'Account', 'briefcase', 'ac'],
  ['Projects', 'Project', 'folder', 'pr'],
  ['Schools', 'School', 'graduation-cap', 'sc'],
  ['Teams', 'Team', 'users', 'te'],
];

// Types differ in size around the scale's per-type count.
const SHARE = [1, 0.6, 1.4, 0.3, 0.8] as const;

// An odd multiplier is a bijection on 24-bit numbers; its inverse mod 2^32 also inverts it mod 2^24.
const SCRAMBLE = 0x9e3779;
const UNSCRAMBLE = inverseMod2p32(SCRAMBLE);

const INDUSTRIES = ['software', 'retail', 'health', 'education', 'finance', 'media'] as const;

/**
 * Object types "1".."n" and their objects, by (type index t, object index i). Object ids are
 * readable (`co1000`); cio_object_ids (`ob01` + 6 hex digits) hide the index behind a multiply
 * and a seeded xor mask, and both map back to (t, i) without a table.
 */
export class Objects {
  private readonly counts: number[];
  /** Changes between syncs (Simulator.changeObjects, data/object-changes.ts); empty until a batch. */
  readonly changes = new ObjectChanges();

  constructor(
    private readonly seed: number,
    typeCount: number,
    perType: number,
    private readonly origin: number,
  ) {
    this.counts = Array.from({ length: Math.min(typeCount, TYPES.length) }, (_, t) => Math.max(1, Math.round(perType * (SHARE[t] ?? 1))));
  }

  get typeCount(): number {
    return this.counts.length;
  }

  /** −1 unless `id` is "1".."n" exactly. */
  typeIndexOfId(id: string): number {
    if (!/^[1-9][0-9]*$/.test(id)) return -1;
    const t = Number(id) - 1;
    return t < this.counts.length ? t : -1;
  }

  count(t: number): number {
    return this.counts[t] ?? 0;
  }

  /** Objects that exist now, over every type (the generated ones until a change batch). */
  total(): number {
    return this.counts.reduce((a, _, t) => a + this.size(t), 0) - this.changes.departures().length;
  }

  /** Object indices of type t: the generated objects, then those created between syncs. */
  size(t: number): number {
    return this.count(t) + this.changes.created(t);
  }

  /** Whether object (t, i) exists now (not deleted between syncs). */
  exists(t: number, i: number): boolean {
    return i >= 0 && i < this.size(t) && this.changes.departure(t, i) === undefined;
  }

  /** Object (t, i) as GET /v1/objects/{type}/{id}/attributes serves it now, changes folded in. */
  current(t: number, i: number): ObjectRecord {
    const changes = this.changes.of(t, i);
    if (changes.length === 0) return this.record(t, i);
    const base = i < this.count(t) ? this.record(t, i) : emptyObject(String(t + 1), this.identifiers(t, i));
    return applyObjectChanges(base, changes);
  }

  type(t: number): ObjectTypeRecord {
    const [name, singular, icon] = TYPES[t] ?? ['Objects', 'Object', 'box', 'ob'];
    return {
      id: String(t + 1),
      name,
      singular_name: singular,
      slug: name.toLowerCase(),
      singular_slug: singular.toLowerCase(),
      icon,
      enabled: true,
    };
  }

  identifiers(t: number, i: number): ObjectIdentifiers {
    const prefix = TYPES[t]?.[3] ?? 'ob';
    const hidden = (Math.imul(i, SCRAMBLE) ^ this.mask(t)) & 0xffffff;
    return {
      object_id: `${prefix}${1000 + i}`,
      cio_object_id: `ob${String(t + 1).padStart(2, '0')}${hidden.toString(16).padStart(6, '0')}`,
    };
  }

  /** Object index from an object_id, or −1. */
  indexOfObjectId(t: number, objectId: string): number {
    const prefix = TYPES[t]?.[3] ?? 'ob';
    const m = /^([a-z]{2})([1-9][0-9]{3,})$/.exec(objectId);
    if (m === null || m[1] !== prefix) return -1;
    const i = Number(m[2]) - 1000;
    return i < this.size(t) ? i : -1;
  }

  /** Object index from a cio_object_id, or −1. */
  indexOfCioObjectId(t: number, cioObjectId: string): number {
    const m = /^ob([0-9]{2})([0-9a-f]{6})$/.exec(cioObjectId);
    if (m === null || Number(m[1]) !== t + 1) return -1;
    const i = Math.imul((parseInt(m[2] ?? '', 16) ^ this.mask(t)) >>> 0, UNSCRAMBLE) & 0xffffff;
    return i < this.size(t) ? i : -1;
  }

  record(t: number, i: number): ObjectRecord {
    const ids = this.identifiers(t, i);
    const draw = new Draw(this.seed, Tag.object, i, t);
    const singular = TYPES[t]?.[1] ?? 'Object';
    const created = this.origin - 1000 * DAY + Math.floor((i * 990 * DAY) / Math.max(1, this.count(t))) + draw.int(DAY);
    // The plan was set later than the rest, so timestamps are not all equal.
    const planAt = created + draw.int(Math.max(1, this.origin - DAY - created));
    const attributes: Record<string, string> = {};
    const timestamps: Record<string, number> = {};
    const set = (key: string, value: string, at: number): void => {
      attributes[key] = value;
      timestamps[key] = at;
    };
    set('country', draw.pick(COUNTRIES), created);
    set('created_at', String(created), created);
    set('employees', String(draw.range(1, 5000)), created);
    set('industry', draw.pick(INDUSTRIES), created);
    set('name', `${singular} ${i + 1}`, created);
    set('object_id', ids.object_id, created);
    set('plan', draw.pick(PLANS), planAt);
    return { object_type_id: String(t + 1), identifiers: ids, attributes, timestamps };
  }

  private mask(t: number): number {
    return hash32(this.seed, Tag.object, 0xfffff, t) & 0xffffff;
  }
}
