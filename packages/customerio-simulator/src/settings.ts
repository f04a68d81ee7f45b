import { SCALES, type Scale, type ScaleSizes } from './scale.js';
import type { FaultRule, SimulatorOptions } from './types.js';

/** The default accepted App API key. Not a secret: it only opens the local simulator. */
export const DEMO_API_KEY = 'sim-demo-app-api-key';

export interface Settings {
  host: string;
  port: number;
  seed: number;
  scale: Scale;
  now: number;
  apiKeys: string[];
  rateLimit: number;
  retryAfter: boolean;
  latencyMs: number;
  backend: 'worker' | 'inline';
  sizes: Partial<ScaleSizes>;
  forbidden: string[];
  faults: FaultRule[];
  exportGzip: boolean | 'alternate';
  exportFailures: number;
  exportUrlTtlSeconds: number;
  exportJobMinSeconds: number;
  exportJobRowsPerSecond: number;
}

/** Applies the documented defaults and rejects options that would make the simulator misbehave. */
export function settingsFrom(opts: SimulatorOptions): Settings {
  const scale = opts.scale ?? 'small';
  if (!(scale in SCALES)) throw new TypeError(`unknown scale ${String(scale)}`);
  const s: Settings = {
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    seed: opts.seed ?? 1,
    scale,
    now: opts.now ?? Math.floor(Date.now() / 1000) - 3600,
    apiKeys: opts.apiKeys ?? [DEMO_API_KEY],
    rateLimit: opts.rateLimit ?? 10,
    retryAfter: opts.retryAfter ?? false,
    latencyMs: opts.latencyMs ?? 0,
    backend: opts.backend ?? 'worker',
    sizes: { ...opts.sizes },
    forbidden: opts.forbidden ?? [],
    faults: opts.faults ?? [],
    exportGzip: opts.exportGzip ?? false,
    exportFailures: opts.exportFailures ?? 0,
    exportUrlTtlSeconds: opts.exportUrlTtlSeconds ?? 900,
    exportJobMinSeconds: opts.exportJobMinSeconds ?? 2,
    exportJobRowsPerSecond: opts.exportJobRowsPerSecond ?? 100_000,
  };
  if (s.exportGzip !== true && s.exportGzip !== false && s.exportGzip !== 'alternate') throw new TypeError("exportGzip must be true, false or 'alternate'");
  if (!(s.exportFailures >= 0 && s.exportFailures <= 1)) throw new TypeError('exportFailures must be a share between 0 and 1');
  for (const key of ['exportUrlTtlSeconds', 'exportJobMinSeconds'] as const) {
    if (!(Number.isFinite(s[key]) && s[key] >= 0)) throw new TypeError(`${key} must be a non-negative number`);
  }
  if (!(Number.isFinite(s.exportJobRowsPerSecond) && s.exportJobRowsPerSecond > 0)) throw new TypeError('exportJobRowsPerSecond must be a positive number');
  for (const key of ['port', 'seed', 'now', 'rateLimit', 'latencyMs'] as const) {
    if (!Number.isInteger(s[key]) || (key !== 'now' && key !== 'seed' && s[key] < 0)) {
      throw new TypeError(`${key} must be ${key === 'now' || key === 'seed' ? 'an' : 'a non-negative'} integer`);
    }
  }
  for (const [key, value] of Object.entries(s.sizes)) {
    if (!(key in SCALES.small)) throw new TypeError(`unknown size ${key}`);
    // Generators index people and need a positive rate to lay out their timelines.
    const least = key === 'people' || key === 'messagesPerYear' || key === 'activitiesPer30Days' ? 1 : 0;
    if (!Number.isInteger(value) || value < least) throw new TypeError(`sizes.${key} must be an integer of at least ${least}`);
  }
  return s;
}
