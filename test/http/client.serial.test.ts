import { describe, expect, it } from 'vitest';
import { testClient } from '../helpers/api-client.js';

/** The test of client.test.ts that times a pause: alone in the serial group, where the wall clock means something. */
describe('ApiClient retries', () => {
  it('honours Retry-After on a 429 and pauses every request meanwhile', async () => {
    const { api, sim } = await testClient({ faults: [{ path: '^/v1/segments$', kind: 'status', status: 429, headers: { 'Retry-After': '2' }, times: 1 }] });
    try {
      const started = Date.now();
      await api.request({ path: '/v1/segments' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1950);
      expect(api.stats.rateLimited).toBe(1);
      await api.close();
    } finally {
      await sim.close();
    }
  });
});
