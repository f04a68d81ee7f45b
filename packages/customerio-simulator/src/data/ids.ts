import { hash32 } from '../random.js';

/**
 * Delivery ids look like live ones ("ag1q6QWq6QUBAAF4_CGoeVX7mFkDbRFu7ek="): 20 bytes in url-safe
 * base64 with padding. Bytes 4..7 carry the message index so an id maps back to its record.
 */
export function deliveryId(seed: number, entity: number, k: number): string {
  const bytes = Buffer.allocUnsafe(20);
  bytes.writeUInt32BE(hash32(seed, entity, 0, 0xabc), 0);
  bytes.writeUInt32BE(k >>> 0, 4);
  bytes.writeUInt32BE(hash32(seed, entity, k, 0xabd), 8);
  bytes.writeUInt32BE(hash32(seed, entity, k, 0xabe), 12);
  bytes.writeUInt32BE(hash32(seed, entity, k, 0xabf), 16);
  return `${bytes.toString('base64url')}=`;
}

/** The index inside a delivery id, or −1 when it is not one of ours. */
export function deliveryIndex(seed: number, entity: number, id: string): number {
  if (id.length !== 28 || !id.endsWith('=')) return -1;
  const bytes = Buffer.from(id.slice(0, 27), 'base64url');
  if (bytes.length !== 20) return -1;
  const k = bytes.readUInt32BE(4);
  return deliveryId(seed, entity, k) === id ? k : -1;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** ULID-shaped activity ids ("01HX…"): 10 chars of millisecond time, 16 of randomness. */
export function ulid(ms: number, seed: number, entity: number, k: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let w = 0; w < 4; w++) {
    let h = hash32(seed, entity, k, 0x1d0 + w);
    for (let i = 0; i < 4; i++) {
      rand += CROCKFORD.charAt(h & 31);
      h >>>= 5;
    }
  }
  return time + rand;
}

/**
 * The inverse of an odd number modulo 2^32 (it also inverts it modulo any smaller power of two):
 * multiplying by an odd number scrambles an index into an id, multiplying by this maps it back.
 */
export function inverseMod2p32(a: number): number {
  let x = a; // Newton's iteration doubles the number of correct low bits each round.
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}
