import { Draw } from '../random.js';
import { DAY } from '../scale.js';
import { Tag } from '../tags.js';

/** A GET /v1/sender_identities item (§5.10). */
export interface SenderIdentityRecord {
  id: number;
  name: string;
  email: string | null;
  address: string;
  template_type: 'email' | 'phone';
  auto_generated: boolean;
  hidden: boolean;
  phone: string | null;
  deduplicate_id: string;
}

/**
 * Sender identities have ids 1..n, so the `from_id` (1..5) and `reply_to_id` (1) of generated
 * actions name real senders. Every third one is hidden: the list endpoint serves hidden senders
 * only with `hidden=true` (S3), so a client must read both ways to see them all.
 */
export class SenderIdentities {
  constructor(
    private readonly seed: number,
    readonly count: number,
    private readonly origin: number,
  ) {}

  hidden(k: number): boolean {
    return k % 3 === 2;
  }

  record(k: number): SenderIdentityRecord {
    const id = k + 1;
    const draw = new Draw(this.seed, Tag.sender, k);
    // Senders are edited rarely; the fingerprint carries the last edit, fixed before the clock.
    const edited = this.origin - 1000 * DAY + Math.floor((k * 990 * DAY) / Math.max(1, this.count)) + draw.int(DAY);
    const phone = k % 5 === 4;
    const number = `+1555${String(1000 + id).padStart(7, '0')}`;
    return {
      id,
      name: phone ? `SMS line ${id}` : `Team ${id}`,
      email: phone ? null : `team${id}@example.com`,
      address: phone ? number : `Team ${id} <team${id}@example.com>`,
      template_type: phone ? 'phone' : 'email',
      auto_generated: k === 0 || draw.chance(0.1),
      hidden: this.hidden(k),
      phone: phone ? number : null,
      deduplicate_id: `${id}:${edited}`,
    };
  }
}
