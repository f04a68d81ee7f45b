import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { RateLimiter } from '../../src/http/rate-limit.js';

/** A clock that only moves when someone sleeps: timing without waiting. `late` adds to each wake-up, as a busy event loop does. */
function fakeClock(start = 1_000_000, late: () => number = () => 0): Clock {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms + late();
    },
  };
}

async function departures(limiter: RateLimiter, clock: Clock, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await limiter.acquire();
    times.push(clock.now());
  }
  return times;
}

const rateOf = (times: number[]): number => (times.length - 1) / (((times.at(-1) as number) - (times[0] as number)) / 1000);

describe('RateLimiter', () => {
  it('spaces requests evenly, never more than the rate inside any 1 s window', async () => {
    const clock = fakeClock();
    const times = await departures(new RateLimiter(10, clock), clock, 50);
    for (let i = 10; i < times.length; i++) expect((times[i] as number) - (times[i - 10] as number)).toBeGreaterThanOrEqual(1035);
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(75);
    expect(rateOf(times)).toBeGreaterThan(9.6);
    expect(rateOf(times)).toBeLessThan(10);
  });

  it('late wake-ups cost no budget, and still no 1 s window holds more than the rate', async () => {
    // Every timer fires 0 to 20 ms late, as on a loaded machine: spacing from the actual
    // departure would lose ~1% a millisecond; the grid lets the next request catch up.
    let seed = 7;
    const clock = fakeClock(0, () => (seed = (seed * 48271) % 2147483647) % 21);
    const times = await departures(new RateLimiter(10, clock), clock, 300);
    for (let i = 10; i < times.length; i++) expect((times[i] as number) - (times[i - 10] as number)).toBeGreaterThanOrEqual(1035);
    expect(rateOf(times.slice(20))).toBeGreaterThan(9.5); // spacing from actual departures: 8.8
  });

  it('a request that reached the socket late holds the window from when it was sent', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, clock);
    const first = await limiter.acquire();
    const started = first.at;
    limiter.sentAt(first, started + 60); // a busy event loop held it 60 ms
    const times = await departures(limiter, clock, 10);
    expect((times.at(-1) as number) - started).toBeGreaterThanOrEqual(60 + 1035);
  });

  it('a 429 widens the margin for every later request', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, clock);
    const before = limiter.intervalMs;
    limiter.pause(clock.now());
    expect(limiter.intervalMs).toBeGreaterThan(before);
    const times = await departures(limiter, clock, 30);
    for (let i = 10; i < times.length; i++) expect((times[i] as number) - (times[i - 10] as number)).toBeGreaterThanOrEqual(1050);
  });

  it('a limit below one request a second is still kept', async () => {
    const clock = fakeClock();
    const times = await departures(new RateLimiter(0.5, clock), clock, 5);
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(2000);
  });

  it('serves concurrent callers first come, first served, without a burst', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(5, clock);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map(async (i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('a pause holds every caller until it ends', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, clock);
    await limiter.acquire();
    limiter.pause(clock.now() + 5000);
    const before = clock.now();
    await limiter.acquire();
    expect(clock.now() - before).toBeGreaterThanOrEqual(5000);
  });
});
