import { parseArgs } from 'node:util';
import { SCALES, type Scale } from './scale.js';
import { startSimulator } from './server.js';
import { DEMO_API_KEY } from './settings.js';

/** What `tap-customerio simulate` and `customerio-simulator` (bin.ts) take. */
export interface ServeOptions {
  host: string;
  port: number;
  seed: number;
  scale: Scale;
  rateLimit: number;
  retryAfter: boolean;
  latencyMs: number;
  /** Absent or 0: the scale's. */
  people?: number;
  /** Absent or 0: the scale's. */
  campaigns?: number;
  /** The workspace clock, unix seconds; absent: an hour ago. */
  now?: number;
  /** Customer export files: plain, gzip, or gzip every second job. */
  exportGzip?: boolean | 'alternate';
  /** Share of export jobs that fail (0..1). */
  exportFailures?: number;
  /** How long a download URL stays valid, in seconds. */
  exportUrlTtlSeconds?: number;
}

/** Where the simulator's messages go: process.stdout/stderr, or a command's runtime streams. */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * Runs the Customer.io simulator in the foreground until SIGINT or SIGTERM. The first stdout line
 * is JSON `{url, scale, seed, config}` (what spawnSimulator reads); stderr says the same for a
 * person.
 */
export async function serveUntilSignal(options: ServeOptions, stdout: TextSink, stderr: TextSink): Promise<void> {
  const simulator = await startSimulator({
    host: options.host,
    port: options.port,
    seed: options.seed,
    scale: options.scale,
    rateLimit: options.rateLimit,
    retryAfter: options.retryAfter,
    latencyMs: options.latencyMs,
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...(options.exportGzip !== undefined ? { exportGzip: options.exportGzip } : {}),
    ...(options.exportFailures !== undefined ? { exportFailures: options.exportFailures } : {}),
    ...(options.exportUrlTtlSeconds !== undefined ? { exportUrlTtlSeconds: options.exportUrlTtlSeconds } : {}),
    sizes: { ...(options.people ? { people: options.people } : {}), ...(options.campaigns ? { campaigns: options.campaigns } : {}) },
  });
  const config = { app_api_key: DEMO_API_KEY, base_url: simulator.url };
  stdout.write(`${JSON.stringify({ url: simulator.url, scale: options.scale, seed: options.seed, config })}\n`);
  stderr.write(
    `Customer.io simulator (${options.scale}, seed ${options.seed}) listening on ${simulator.url}\n` +
      `Use this config: ${JSON.stringify(config)}\nControl: GET ${simulator.url}/__sim/stats, POST ${simulator.url}/__sim/advance?seconds=N, POST ${simulator.url}/__sim/delete, POST ${simulator.url}/__sim/change-people, POST ${simulator.url}/__sim/change-objects. Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
}

/**
 * The options of bin.ts, with the defaults of `tap-customerio simulate` (the tap's src/main.ts,
 * which may not import this package statically: test/architecture/simulator-fence.test.ts). `arg` and `help` are for the
 * usage text only.
 */
export const SERVE_OPTIONS = {
  port: { type: 'string', default: '8080', arg: 'N', help: 'Port to listen on (0 picks a free one)' },
  host: { type: 'string', default: '127.0.0.1', arg: 'ADDRESS', help: 'Address to listen on' },
  seed: { type: 'string', default: '1', arg: 'N', help: 'Seed of the generated workspace' },
  scale: { type: 'string', default: 'small', arg: 'SIZE', help: `Workspace size: ${Object.keys(SCALES).join(', ')}` },
  'rate-limit': { type: 'string', default: '10', arg: 'N', help: 'Requests per second before 429 (0 = none)' },
  'retry-after': { type: 'boolean', default: false, arg: '', help: 'Send Retry-After on 429 (newer API builds)' },
  'latency-ms': { type: 'string', default: '0', arg: 'N', help: 'Delay added to every response' },
  people: { type: 'string', arg: 'N', help: "Number of people, instead of the scale's" },
  campaigns: { type: 'string', arg: 'N', help: "Number of campaigns, instead of the scale's" },
  now: { type: 'string', arg: 'SECONDS', help: 'The workspace clock, unix seconds (default: an hour ago); pinned, every answer is reproducible' },
  'export-gzip': { type: 'string', arg: 'MODE', help: 'Customer export files: plain, gzip or alternate (default: plain)' },
  'export-failures': { type: 'string', arg: 'SHARE', help: 'Share of customer export jobs that fail, 0 to 1 (default: 0)' },
  'export-url-ttl': { type: 'string', arg: 'SECONDS', help: 'How long an export download URL stays valid (default: 900)' },
  help: { type: 'boolean', short: 'h', arg: '', help: 'Show this help' },
} as const;

export const SERVE_USAGE = [
  'Usage: customerio-simulator [options]',
  '',
  'Runs the Customer.io API simulator on loopback until SIGINT or SIGTERM.',
  '',
  ...Object.entries(SERVE_OPTIONS).map(([name, o]) => {
    const flag = `--${name}${o.arg ? ` ${o.arg}` : ''}`;
    return `  ${flag.padEnd(22)}${o.help}${'default' in o ? ` (default: ${String(o.default)})` : ''}`;
  }),
  '',
].join('\n');

/** A command line bin.ts cannot run; the message names the argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--help`, or the options of a command line; throws UsageError for anything else. */
export function parseServeArgs(args: string[]): ServeOptions | 'help' {
  let values;
  try {
    values = parseArgs({ args, options: SERVE_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const number = (name: keyof typeof SERVE_OPTIONS, raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} ${raw} is not a number`);
    return n;
  };
  const optional = (name: 'people' | 'campaigns' | 'now' | 'export-failures' | 'export-url-ttl'): number | undefined => {
    const raw = values[name];
    return raw === undefined ? undefined : number(name, raw);
  };
  const scale = values.scale;
  if (!(scale in SCALES)) throw new UsageError(`--scale ${scale} is not one of ${Object.keys(SCALES).join(', ')}`);
  const people = optional('people');
  const campaigns = optional('campaigns');
  const now = optional('now');
  const gzip = values['export-gzip'];
  if (gzip !== undefined && !['plain', 'gzip', 'alternate'].includes(gzip)) throw new UsageError(`--export-gzip ${gzip} is not one of plain, gzip, alternate`);
  const failures = optional('export-failures');
  if (failures !== undefined && (failures < 0 || failures > 1)) throw new UsageError(`--export-failures ${failures} is not between 0 and 1`);
  const ttl = optional('export-url-ttl');
  return {
    host: values.host,
    port: number('port', values.port),
    seed: number('seed', values.seed),
    scale: scale as Scale,
    rateLimit: number('rate-limit', values['rate-limit']),
    retryAfter: values['retry-after'],
    latencyMs: number('latency-ms', values['latency-ms']),
    // As `tap-customerio simulate`: 0 people or campaigns means the scale's.
    ...(people ? { people } : {}),
    ...(campaigns ? { campaigns } : {}),
    ...(now !== undefined ? { now } : {}),
    ...(gzip !== undefined ? { exportGzip: gzip === 'alternate' ? ('alternate' as const) : gzip === 'gzip' } : {}),
    ...(failures !== undefined ? { exportFailures: failures } : {}),
    ...(ttl !== undefined ? { exportUrlTtlSeconds: ttl } : {}),
  };
}

/** bin.ts: the simulator as a program of its own. Returns the exit code. */
export async function simulatorMain(args: string[], stdout: TextSink, stderr: TextSink): Promise<number> {
  let options;
  try {
    options = parseServeArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`Error: ${error.message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (options === 'help') {
    stdout.write(SERVE_USAGE);
    return 0;
  }
  await serveUntilSignal(options, stdout, stderr);
  return 0;
}
