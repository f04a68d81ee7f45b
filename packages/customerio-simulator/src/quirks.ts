import { hash32 } from './random.js';
import { Entity } from './tags.js';

/**
 * Live /v1/messages and segment membership sometimes answer an EMPTY page that still carries a
 * non-empty `next` (customerio-api.md §4). Here that happens at deterministic positions: about
 * one page start in seven, keyed by the list (`scope`, see tags.ts EmptyPageScope) and the
 * position, and only on the first visit (hop 0): the token it returns has hop 1 and leads to the
 * real page.
 */
export function emptyPageAt(seed: number, scope: number, position: number): boolean {
  return hash32(seed, Entity.emptyPage, position, scope) % 7 === 0;
}
