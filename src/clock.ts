import { setTimeout as sleepTimer } from 'node:timers/promises';

/** Time as the tap sees it; injected so retry and rate-limit timing are testable without waiting. */
export interface Clock {
  now(): number; // ms since epoch
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0) return;
    await sleepTimer(ms, undefined, signal ? { signal } : undefined);
  },
};
