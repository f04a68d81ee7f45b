import { describe, expect, it } from 'vitest';
import { nearestName } from '../src/near-miss.js';

describe('small helpers', () => {
  it('suggests the key a typo meant', () => {
    const known = ['app_api_key', 'region', 'start_date', 'base_url', 'requests_per_second', 'messages_lookback_days'];
    expect(nearestName('api_key', known)).toBe('app_api_key');
    expect(nearestName('startdate', known)).toBe('start_date');
    expect(nearestName('regoin', known)).toBe('region');
    expect(nearestName('colour', known)).toBeUndefined();
  });
});
