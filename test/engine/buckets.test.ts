import { expect, it } from 'vitest';
import { addBuckets, bucketStart, bucketsBetween, isoSeconds } from '../../src/engine/buckets.js';
import { US_EASTERN } from '../../src/streams/metrics-formats.js';
const u = (s: string) => Date.parse(s) / 1000;
it('bucket starts and counts in US Eastern time across DST, and in UTC', () => {
  expect(isoSeconds(bucketStart(u('2026-03-08T12:00:00Z'), 'days', US_EASTERN))).toBe('2026-03-08T05:00:00Z');
  expect(isoSeconds(bucketStart(u('2026-03-09T12:00:00Z'), 'days', US_EASTERN))).toBe('2026-03-09T04:00:00Z');
  expect(isoSeconds(bucketStart(u('2026-03-09T03:00:00Z'), 'days', US_EASTERN))).toBe('2026-03-08T05:00:00Z');
  expect(isoSeconds(bucketStart(u('2026-11-26T12:00:00Z'), 'weeks', US_EASTERN))).toBe('2026-11-22T05:00:00Z');
  expect(isoSeconds(bucketStart(u('2026-11-26T12:00:00Z'), 'months', US_EASTERN))).toBe('2026-11-01T04:00:00Z');
  expect(isoSeconds(addBuckets(u('2026-03-08T05:00:00Z'), 'days', 1, US_EASTERN))).toBe('2026-03-09T04:00:00Z');
  expect(isoSeconds(addBuckets(u('2026-11-01T04:00:00Z'), 'months', 1, US_EASTERN))).toBe('2026-12-01T05:00:00Z');
  expect(isoSeconds(addBuckets(u('2026-11-01T04:00:00Z'), 'months', -13, US_EASTERN))).toBe('2025-10-01T04:00:00Z');
  expect(isoSeconds(bucketStart(u('2026-11-26T12:34:56Z'), 'days', 'UTC'))).toBe('2026-11-26T00:00:00Z');
  expect(bucketsBetween(u('2026-03-01T12:00:00Z'), u('2026-03-31T12:00:00Z'), 'days', US_EASTERN)).toBe(31);
  expect(bucketsBetween(u('2025-11-15T12:00:00Z'), u('2026-11-26T12:00:00Z'), 'months', US_EASTERN)).toBe(13);
  expect(bucketsBetween(u('2026-11-26T10:00:00Z'), u('2026-11-26T12:30:00Z'), 'hours', US_EASTERN)).toBe(3);
});
