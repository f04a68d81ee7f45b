import { describe, expect, it } from 'vitest';
import { decodeKeys, encodeKeys } from '../../src/engine/key-set.js';

describe('stored key sets', () => {
  it('integer keys: sorted, delta-encoded in base 36, and back', () => {
    const keys = ['1000', '7', '1001', '0', '123456789012345', '7'];
    const stored = encodeKeys(keys);
    expect(stored).toBe(`n:0,7,${(993).toString(36)},1,${(123456789012345 - 1001).toString(36)}`);
    expect([...(decodeKeys(stored) ?? [])].sort()).toEqual([...new Set(keys)].sort());
  });

  it('10,000 consecutive ids take about two bytes each', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => String(5000 + i));
    const stored = encodeKeys(keys) as string;
    expect(stored.length).toBeLessThan(20_100);
    expect(decodeKeys(stored)?.size).toBe(10_000);
  });

  it('other keys (names, ids with leading zeros) stay a sorted list of strings', () => {
    expect(encodeKeys(['welcome', 'footer', 'footer'])).toEqual(['footer', 'welcome']);
    expect(encodeKeys(['007', '8'])).toEqual(['007', '8']);
    expect(decodeKeys(['a', 'b'])).toEqual(new Set(['a', 'b']));
  });

  it('an empty set round-trips; anything else is not a key set', () => {
    expect(decodeKeys(encodeKeys([]))).toEqual(new Set());
    for (const bad of ['n:1,-4', 'n:1,zz.z', 'x:1', 12, { keys: [] }, [1, 2]]) expect(decodeKeys(bad), JSON.stringify(bad)).toBeUndefined();
  });
});
