import { SCALES } from './scale.js';
import type { FaultRule, Scale, SimulatorOptions } from './types.js';

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
  sizes: { people?: number; campaigns?: number };
  forbidden: string[];
  faults: FaultRule[];
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
  };
  for (const key of ['port', 'seed', 'now', 'rateLimit', 'latencyMs'] as const) {
    if (!Number.isInteger(s[key]) || (key !== 'now' && key !== 'seed' && s[key] < 0)) {
      throw new TypeError(`${key} must be ${key === 'now' || key === 'seed' ? 'an' : 'a non-negative'} integer`);
    }
  }
  return s;
}
