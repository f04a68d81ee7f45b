import yargs, { type Argv } from 'yargs';
import { aboutCommand, type AboutFormat } from './app/about.js';
import { checkCommand } from './app/check.js';
import { discoverCommand } from './app/discover.js';
import { readCommand } from './app/read.js';
import type { Runtime } from './app/runtime.js';
import { Session } from './app/session.js';
import { previewCommand } from './app/preview.js';
import { specCommand } from './app/spec.js';
import { testSchemaCommand } from './app/test-schema.js';
import { TapError } from './errors.js';
import { packageVersion } from './spec.js';

const AIRBYTE_COMMANDS = new Set(['spec', 'check', 'discover', 'read']);
const TOOL_COMMANDS = new Set(['preview', 'simulate', 'demo']);
const SCALES = ['small', 'medium', 'large'] as const;

/** Argument parsing only: each command's work lives in src/app. */
export async function main(argv: string[], runtime: Runtime): Promise<number> {
  const first = argv[0];
  if (first !== undefined && (AIRBYTE_COMMANDS.has(first) || TOOL_COMMANDS.has(first))) {
    return commandMode(argv, runtime);
  }
  return singerMode(argv, runtime);
}

function parser(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('tap-customerio')
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .strict()
    .exitProcess(false)
    .showHelpOnFail(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue(
      'Airbyte: spec | check | discover | read.  Singer: --config C [--discover | --catalog K] [--state S] | --about.  Tools: preview | simulate | demo.',
    )
    .fail((message, error) => {
      throw error instanceof TapError ? error : new TapError('USAGE', message ?? String(error), { hint: 'Run tap-customerio --help for the usage' });
    });
}

async function commandMode(argv: string[], runtime: Runtime): Promise<number> {
  let result: Promise<number> | undefined;
  const abort = new AbortController();
  const cli = parser(argv)
    .command('spec', 'Print the Airbyte connector specification', {}, () => {
      result = specCommand(new Session('airbyte', runtime));
    })
    .command(
      'check',
      'Test the App API key and region, and which streams it may read',
      (y) => y.option('config', { type: 'string', demandOption: true, description: 'Path to the config JSON file' }),
      (args) => {
        result = checkCommand(new Session('airbyte', runtime), args.config);
      },
    )
    .command(
      'discover',
      'Print the Airbyte catalog of every stream',
      (y) => y.option('config', { type: 'string', demandOption: true, description: 'Path to the config JSON file' }),
      (args) => {
        result = discoverCommand(new Session('airbyte', runtime), args.config);
      },
    )
    .command(
      'read',
      'Sync the streams of a configured catalog',
      (y) =>
        y
          .option('config', { type: 'string', demandOption: true, description: 'Path to the config JSON file' })
          .option('catalog', { type: 'string', demandOption: true, description: 'Path to the ConfiguredAirbyteCatalog JSON file' })
          .option('state', { type: 'string', description: 'Path to the JSON array of STATE messages from the last sync' }),
      (args) => {
        stopOnSignals(abort, runtime);
        result = readCommand(
          new Session('airbyte', runtime),
          { config: args.config, catalog: args.catalog, ...(args.state ? { state: args.state } : {}) },
          abort,
        );
      },
    )
    .command(
      'preview',
      'Show a few records of one stream, or why there are none',
      (y) =>
        y
          .option('config', { type: 'string', array: true, demandOption: true, description: 'Config JSON file, or ENV' })
          .option('stream', { type: 'string', demandOption: true, description: 'The stream to preview, e.g. messages' })
          .option('start', { type: 'string', description: 'RFC 3339 start of the range (overrides start_date)' })
          .option('end', { type: 'string', description: 'RFC 3339 end of the range (overrides end_date)' })
          .option('limit', { type: 'number', default: 20, description: 'Records to show at most' })
          .option('format', { choices: ['table', 'jsonl'] as const, default: 'table' as const, description: 'A table fitted to the terminal, or JSON lines' }),
      (args) => {
        if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 1000) {
          throw new TapError('USAGE', `--limit ${args.limit} is not between 1 and 1000`, { hint: 'Pass a whole number such as --limit 20' });
        }
        result = previewCommand(new Session('singer', runtime), {
          config: args.config,
          stream: args.stream,
          limit: args.limit,
          format: args.format,
          ...(args.start ? { start: args.start } : {}),
          ...(args.end ? { end: args.end } : {}),
        });
      },
    )
    .command(
      'simulate',
      'Run the Customer.io API simulator on loopback',
      (y) =>
        y
          .option('port', { type: 'number', default: 8080, description: 'Port to listen on (0 picks a free one)' })
          .option('host', { type: 'string', default: '127.0.0.1', description: 'Address to listen on' })
          .option('seed', { type: 'number', default: 1, description: 'Seed of the generated workspace' })
          .option('scale', { choices: SCALES, default: 'small' as const, description: 'Workspace size' })
          .option('rate-limit', { type: 'number', default: 10, description: 'Requests per second before 429 (0 = none)' })
          .option('retry-after', { type: 'boolean', default: false, description: 'Send Retry-After on 429 (newer API builds)' })
          .option('latency-ms', { type: 'number', default: 0, description: 'Delay added to every response' })
          .option('people', { type: 'number', description: "Number of people, instead of the scale's" })
          .option('campaigns', { type: 'number', description: "Number of campaigns, instead of the scale's" })
          .option('now', {
            type: 'number',
            description: 'The workspace clock, unix seconds (default: an hour ago); pinned, it makes every answer reproducible',
          })
          .option('export-gzip', {
            choices: ['plain', 'gzip', 'alternate'] as const,
            description: 'Customer export files: plain, gzip or alternate (default: plain)',
          })
          .option('export-failures', { type: 'number', description: 'Share of customer export jobs that fail, 0 to 1 (default: 0)' })
          .option('export-url-ttl', { type: 'number', description: 'How long an export download URL stays valid, in seconds (default: 900)' }),
      (args) => {
        // simulate and demo are loaded here, not at the top, so that spec, check, discover and read
        // never load the simulator (test/architecture/simulator-fence.test.ts).
        result = toolCommand(runtime, async () => {
          const { simulateCommand } = await import('./app/simulate.js');
          return simulateCommand(runtime, {
            host: args.host,
            port: args.port,
            seed: args.seed,
            scale: args.scale,
            rateLimit: args['rate-limit'],
            retryAfter: args['retry-after'],
            latencyMs: args['latency-ms'],
            ...(args.people ? { people: args.people } : {}),
            ...(args.campaigns ? { campaigns: args.campaigns } : {}),
            ...(args.now !== undefined ? { now: args.now } : {}),
            ...(args['export-gzip'] !== undefined
              ? { exportGzip: args['export-gzip'] === 'alternate' ? ('alternate' as const) : args['export-gzip'] === 'gzip' }
              : {}),
            ...(args['export-failures'] !== undefined ? { exportFailures: args['export-failures'] } : {}),
            ...(args['export-url-ttl'] !== undefined ? { exportUrlTtlSeconds: args['export-url-ttl'] } : {}),
          });
        });
      },
    )
    .command(
      'demo',
      'Full sync of every stream against a built-in simulator, with a summary',
      (y) =>
        y
          .option('scale', { choices: SCALES, default: 'small' as const, description: 'Workspace size' })
          .option('seed', { type: 'number', default: 1, description: 'Seed of the generated workspace' })
          .option('protocol', { choices: ['airbyte', 'singer'] as const, default: 'airbyte' as const, description: 'Protocol of the written messages' })
          .option('output', { type: 'string', description: 'File for the protocol messages (default: a temp file)' })
          .option('now', {
            type: 'number',
            description: "The simulated workspace's clock, unix seconds: the same seed, scale and clock give the same records",
          }),
      (args) => {
        result = toolCommand(runtime, async () => {
          const { demoCommand } = await import('./app/demo.js');
          return demoCommand(runtime, {
            scale: args.scale,
            seed: args.seed,
            protocol: args.protocol,
            ...(args.output ? { output: args.output } : {}),
            ...(args.now !== undefined ? { now: args.now } : {}),
          });
        });
      },
    )
    .demandCommand(1);
  try {
    await cli.parseAsync();
  } catch (error) {
    return usageError(error, runtime);
  }
  return result ?? 0;
}

async function singerMode(argv: string[], runtime: Runtime): Promise<number> {
  const abort = new AbortController();
  let args;
  try {
    args = await parser(argv)
      .usage(
        '$0 --config CONFIG [--discover | --catalog CATALOG] [--state STATE]\n$0 --about [--format json|markdown|text]\n$0 <spec|check|discover|read|preview|simulate|demo> --help',
      )
      .option('config', { type: 'string', array: true, description: 'Config JSON file, or ENV for TAP_CUSTOMERIO_<SETTING> variables; repeat to combine' })
      .option('discover', { type: 'boolean', description: 'Print the Singer catalog' })
      .option('catalog', { type: 'string', description: 'Path to the Singer catalog (streams and fields selected in metadata)' })
      .option('properties', { type: 'string', description: 'Legacy name of --catalog' })
      .option('state', { type: 'string', description: 'Path to the last STATE value ({"bookmarks": …})' })
      .option('about', { type: 'boolean', description: 'Describe the tap: version, capabilities, settings' })
      .option('format', { choices: ['text', 'json', 'markdown'] as const, default: 'text' as const, description: 'Format of --about' })
      .option('test', { type: 'string', description: 'Connection test: "all" (the default) syncs one record per stream; "schema" prints every SCHEMA' })
      .conflicts('catalog', 'properties')
      .parseAsync();
  } catch (error) {
    return usageError(error, runtime);
  }
  if (args.help) return 0;
  if (args.about) return aboutCommand(runtime.stdout, args.format as AboutFormat);
  if (!args.config || args.config.length === 0) {
    return usageError(
      new TapError('USAGE', 'Missing --config', { hint: 'Run tap-customerio --config config.json [--discover | --catalog catalog.json] (see --help)' }),
      runtime,
    );
  }
  const session = new Session('singer', runtime);
  if (args.discover) return discoverCommand(session, args.config);
  if (args.test !== undefined) {
    if (args.test === 'schema') return testSchemaCommand(session, args.config);
    if (args.test !== '' && args.test !== 'all') {
      return usageError(new TapError('USAGE', `--test=${args.test} is not a test mode`, { hint: 'Use --test (or --test=all) or --test=schema' }), runtime);
    }
    return readCommand(session, { config: args.config }, abort, { recordLimit: 1, allStreams: true });
  }
  stopOnSignals(abort, runtime);
  const catalog = args.catalog ?? args.properties;
  return readCommand(session, { config: args.config, ...(catalog ? { catalog } : {}), ...(args.state ? { state: args.state } : {}) }, abort);
}

/**
 * demo and simulate speak no protocol: a TapError they raise (such as a missing simulator) is one
 * line on stderr and exit code 1, never a stack trace.
 */
async function toolCommand(runtime: Runtime, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof TapError)) throw error;
    runtime.stderr.write(`Error: ${error.userMessage}\n`);
    return 1;
  }
}

function usageError(error: unknown, runtime: Runtime): number {
  const failure = error instanceof TapError ? error : new TapError('USAGE', String((error as Error)?.message ?? error));
  runtime.stderr.write(`Error: ${failure.userMessage}\n`);
  return 2;
}

/**
 * SIGTERM/SIGINT stop the requests; the sync then flushes what it has and says INCOMPLETE. A second
 * signal ends the process. A failure that nothing was waiting for (a bug) takes the same orderly
 * way out, with its own code, instead of killing the process mid-line with a stack trace.
 */
function stopOnSignals(abort: AbortController, runtime: Runtime): void {
  if (!runtime.handleSignals) return;
  const stop = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort(new TapError('INTERRUPTED', `Stopped by ${signal}`));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const unhandled = (error: unknown): void => {
    if (abort.signal.aborted) return;
    const message = error instanceof Error ? error.message : String(error);
    abort.abort(
      new TapError('UNHANDLED', `Stopped after an internal failure that nothing was waiting for (${message})`, {
        hint: 'This is a bug in tap-customerio: please report it',
      }),
    );
  };
  process.on('unhandledRejection', unhandled);
  process.on('uncaughtException', unhandled);
}
