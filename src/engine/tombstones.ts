import type { SyncContext } from './context.js';
import { decodeKeys, encodeKeys, type StoredKeys } from './key-set.js';
import { loadSchema } from './schemas.js';
import { keyText, ownKeyFields, type Row, type StreamDef } from './stream.js';

/**
 * Remembers the keys a stream read whole holds (per partition for a child stream) and makes a
 * tombstone for each key of the last sync that is gone: the key, the cursor and the protocol's
 * deleted-at column set to the sync's start (so a destination that keeps the newest row per key
 * keeps the tombstone), every other declared field null. Costs no request: the list is read anyway.
 *
 * Within a partition the key is the primary key less the fields a child takes from its parent
 * (a broadcast action is `id` under its broadcast); those come back from the parent, or from
 * the partition key when the parent is gone.
 */
export class KeyTracker {
  private readonly enabled: boolean;
  private readonly own: string[];
  private total = 0;
  private off = false;

  constructor(
    private readonly ctx: SyncContext,
    private readonly def: StreamDef,
  ) {
    // A sample (preview) writes no state, and a stream with emit off keeps no keys.
    this.enabled = ctx.deletes?.emit === true && ctx.recordLimit === undefined;
    this.own = ownKeyFields(def);
  }

  note(seen: Set<string>, records: readonly Row[]): void {
    if (!this.enabled) return;
    for (const record of records) {
      const key = keyText(this.own, record);
      if (key !== undefined) seen.add(key);
    }
  }

  /** Tombstones for the keys stored at the last sync that were not seen now (none without a stored set: a first sync). */
  gone(stored: unknown, seen: ReadonlySet<string>, partition?: { key: string; parent: Row | undefined }): Row[] {
    if (!this.enabled || this.off) return [];
    const previous = decodeKeys(stored);
    if (!previous) return [];
    const out: Row[] = [];
    for (const key of previous) if (!seen.has(key)) out.push(this.tombstone(key, partition));
    return out;
  }

  /** What the state keeps of `seen`; nothing once the stream has passed the size limit. */
  stored(seen: ReadonlySet<string>): { keys?: StoredKeys } {
    if (!this.enabled || this.off) return {};
    this.total += seen.size;
    const max = this.ctx.deletes?.maxKeys ?? Infinity;
    if (this.total > max) {
      this.off = true;
      this.ctx.logger.log(
        'WARN',
        `${this.def.name}: more than ${max} keys; deletes are not tracked for this stream (its state would grow too large), so deleted records get no tombstone`,
      );
      return {};
    }
    return { keys: encodeKeys(seen) };
  }

  /** True once the size limit turned tracking off during this read: stored sets are dropped. */
  get stopped(): boolean {
    return this.off;
  }

  /** Whether tombstones are emitted and keys kept (on, and the size limit not passed). */
  get tracking(): boolean {
    return this.enabled && !this.off;
  }

  /**
   * The tombstone of one key. Its cursor is the sync's start, newer than every record an earlier
   * sync emitted, so a destination that keeps the newest row per key keeps it. Callers check
   * `tracking` first.
   */
  tombstone(key: string, partition?: { key: string; parent: Row | undefined }): Row {
    const at = this.ctx.syncStartedAt;
    const record: Row = {};
    for (const field of Object.keys((loadSchema(this.def) as { properties?: Row }).properties ?? {})) record[field] = null;
    const values = this.own.length === 1 ? [key] : (JSON.parse(key) as string[]);
    this.own.forEach((field, i) => (record[field] = values[i] ?? null));
    for (const [field, source] of Object.entries(this.def.fromParent ?? {})) {
      record[field] = partition?.parent?.[source] ?? (source === 'id' ? (partition?.key ?? null) : null);
    }
    if (this.def.cursor) record[this.def.cursor.field] = at;
    record[this.ctx.deletes?.field as string] = new Date(at * 1000).toISOString();
    return record;
  }
}
