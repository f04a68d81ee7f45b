import { Draw } from '../random.js';
import { DAY } from '../scale.js';
import { Tag } from '../tags.js';
import { updatedAt } from './schedule.js';
import { roundName } from './text.js';

/** A GET /v1/collections item: metadata only, the rows themselves are not listed. */
export interface CollectionRecord {
  id: number;
  name: string;
  /** The column names. */
  schema: string[];
  rows: number;
  bytes: number;
  created_at: number;
  updated_at: number;
}

const KINDS: readonly { name: string; schema: string[] }[] = [
  { name: 'Products', schema: ['sku', 'title', 'price', 'image_url'] },
  { name: 'Stores', schema: ['store_id', 'city', 'opening_hours'] },
  { name: 'Events', schema: ['eventName', 'eventDate', 'presents'] },
  { name: 'Coupons', schema: ['code', 'discount', 'expires_at'] },
  { name: 'Courses', schema: ['course_id', 'title', 'level', 'duration'] },
];

export class Collections {
  constructor(
    private readonly seed: number,
    readonly count: number,
    private readonly origin: number,
  ) {}

  record(k: number, now: number): CollectionRecord {
    const draw = new Draw(this.seed, Tag.collection, k);
    const kind = KINDS[k % KINDS.length] ?? { name: 'Collection', schema: ['key'] };
    const created = this.origin - 600 * DAY + Math.floor((k * 590 * DAY) / Math.max(1, this.count)) + draw.int(DAY);
    const rows = draw.range(1, 2_000);
    return {
      id: k + 1,
      name: roundName(kind.name, k, KINDS.length),
      schema: kind.schema,
      rows,
      bytes: rows * (24 * kind.schema.length + draw.int(64)),
      created_at: created,
      updated_at: updatedAt(this.seed, Tag.collection, k, created, now, { staticShare: 0.3, minPeriod: DAY, maxPeriod: 30 * DAY }),
    };
  }
}
