import { Draw, hash32 } from '../random.js';
import { DAY } from '../scale.js';
import { Tag } from '../tags.js';

/** A GET /v1/exports item (§5.9). */
export interface ExportRecord {
  id: number;
  user_id: number;
  user_email: string;
  /** 0 until the export is done. */
  total: number;
  deduplicate_id: string;
  type: 'customers' | 'deliveries';
  failed: boolean;
  status: 'done' | 'pending' | 'failed';
  description: string;
  downloads: number;
  created_at: number;
  updated_at: number;
}

/**
 * Past export jobs. How many depends on the seed, 0..max, because live answers `{"exports": null}`
 * when there are none (S5 fixture). The newest one is started minutes before the initial clock and
 * finishes a little after it, so it is `pending` until the clock passes its end.
 */
export class Exports {
  readonly count: number;

  constructor(
    private readonly seed: number,
    max: number,
    private readonly origin: number,
  ) {
    this.count = hash32(seed, Tag.export, 0) % (max + 1);
  }

  record(k: number, now: number): ExportRecord {
    const draw = new Draw(this.seed, Tag.export, k);
    const id = 100 + 7 * k;
    const newest = k === this.count - 1;
    const createdAt = newest
      ? this.origin - draw.range(60, 900)
      : this.origin - 90 * DAY + Math.floor((k * 85 * DAY) / Math.max(1, this.count)) + draw.int(DAY);
    const endsAt = createdAt + (newest ? draw.range(1200, 3600) : draw.range(30, 1800));
    const customers = draw.chance(0.5);
    const fails = !newest && draw.chance(0.2);
    const rows = draw.range(1, 50_000);
    const finished = endsAt <= now;
    const status = !finished ? 'pending' : fails ? 'failed' : 'done';
    const userId = draw.range(1, 4);
    return {
      id,
      user_id: userId,
      user_email: `ops${userId}@example.com`,
      total: status === 'done' ? rows : 0,
      deduplicate_id: `${id}:${finished ? endsAt : createdAt}`,
      type: customers ? 'customers' : 'deliveries',
      failed: status === 'failed',
      status,
      description: customers ? `People in segment ${draw.range(1, 9)}` : `Deliveries of campaign ${3 + 2 * draw.int(8)}`,
      downloads: status === 'done' ? draw.int(4) : 0,
      created_at: createdAt,
      updated_at: finished ? endsAt : createdAt,
    };
  }
}
