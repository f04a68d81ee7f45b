import type { Clock } from '../../src/clock.js';
import type { Chunk } from '../../src/engine/chunk.js';
import { newSyncContext, SERIAL, type SyncContext } from '../../src/engine/context.js';
import type { Row } from '../../src/engine/stream.js';
import { TapError, type ErrorCode } from '../../src/errors.js';
import type { ApiClient, ApiRequest } from '../../src/http/client.js';

/**
 * An in-memory stand-in for the API client, for driving a reader in-process: answers come from a
 * table keyed by `METHOD /path?query` (query keys in any order), and every request is recorded.
 *
 * A table value is the body to answer, a `fail(code)` to throw the TapError the real client's
 * classification would, or a function of the request (and how many times that key was asked
 * before) for answers that change or are computed. A function may also sit under a bare
 * `METHOD /path` key: it then answers that path whatever the query, as a small server would.
 * A static body under a bare key answers only a request without a query, so a wrong query
 * shows up as a missing answer instead of being served by accident.
 */
export type Answer = unknown;
export type Handler = (request: ApiRequest, nth: number) => Answer;

export class Failure {
  constructor(readonly code: ErrorCode) {}
}

/** The TapError the real client throws for that outcome (404 → NOT_FOUND, and so on). */
export function fail(code: ErrorCode): Failure {
  return new Failure(code);
}

/** Answers in turn for repeated asks of one key; the last one repeats. */
export function inTurn(...answers: Answer[]): Handler {
  return (_request, nth) => answers[Math.min(nth, answers.length - 1)];
}

/** Time that moves only when told to: sleeping advances it at once (and is recorded). */
export class ManualClock implements Clock {
  readonly slept: number[] = [];
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.ms += Math.max(0, ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function requestKey(request: ApiRequest): string {
  const entries = Object.entries(request.query ?? {}).filter(([, value]) => value !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(entries.map(([key, value]): [string, string] => [key, String(value)])).toString();
  return `${request.method ?? 'GET'} ${request.path}${query === '' ? '' : `?${query}`}`;
}

function normalizedKey(key: string): string {
  const space = key.indexOf(' ');
  const method = key.slice(0, space);
  const target = key.slice(space + 1);
  const mark = target.indexOf('?');
  if (mark < 0) return `${method} ${target}`;
  const query = Object.fromEntries(new URLSearchParams(target.slice(mark + 1)));
  return requestKey({ method: method as 'GET' | 'POST', path: target.slice(0, mark), query });
}

export interface MemoryApiOptions {
  /** Unix seconds the sync starts at (the clock's start); default 1,700,000,000. */
  now?: number;
  /** Time each request takes on the manual clock (a read's own pace, for checkpoints due by seconds). */
  msPerRequest?: number;
  /** The server's clock that `send` reports; default the manual clock's. */
  serverTime?: () => number | undefined;
  /** What the client reports of the server's clock less ours (seconds); default unknown. */
  serverOffset?: number;
}

/** Settings of a context; unset cadence is "never" so that only a reader's structural STATEs show. */
export type ContextOptions = Partial<Omit<SyncContext, 'api' | 'clock' | 'logger' | 'syncStartedAt' | 'parentCache'>>;

export class MemoryApi {
  readonly asked: ApiRequest[] = [];
  readonly logs: string[] = [];
  readonly clock: ManualClock;
  private readonly answers = new Map<string, Answer>();
  private readonly counts = new Map<string, number>();
  private taken = 0;

  constructor(
    table: Record<string, Answer>,
    private readonly options: MemoryApiOptions = {},
  ) {
    this.clock = new ManualClock((options.now ?? 1_700_000_000) * 1000);
    for (const [key, answer] of Object.entries(table)) this.set(key, answer);
  }

  set(key: string, answer: Answer): void {
    this.answers.set(normalizedKey(key), answer);
  }

  /** Every request so far, as table keys. */
  get keys(): string[] {
    return this.asked.map(requestKey);
  }

  /** The requests since the previous call, as table keys (one read's requests). */
  take(): string[] {
    const out = this.asked.slice(this.taken).map(requestKey);
    this.taken = this.asked.length;
    return out;
  }

  async send(request: ApiRequest): Promise<{ body: unknown; serverTime: number | undefined }> {
    this.asked.push(request);
    this.clock.advance(this.options.msPerRequest ?? 0);
    const key = requestKey(request);
    const nth = this.counts.get(key) ?? 0;
    this.counts.set(key, nth + 1);
    let answer: Answer;
    if (this.answers.has(key)) answer = this.answers.get(key);
    else {
      const bare = this.answers.get(`${request.method ?? 'GET'} ${request.path}`);
      if (typeof bare !== 'function') throw new Error(`memory api: no answer for ${key}`);
      answer = bare;
    }
    if (typeof answer === 'function') answer = (answer as Handler)(request, nth);
    if (answer instanceof Failure) throw new TapError(answer.code, `${request.method ?? 'GET'} ${request.path} failed (${answer.code})`);
    const serverTime = this.options.serverTime ? this.options.serverTime() : Math.floor(this.clock.now() / 1000);
    // A copy: a reader that changes a record must not change the table the next read is served from.
    return { body: structuredClone(answer), serverTime };
  }

  /** The client surface the engine uses; the rest of ApiClient (its pool, its stats) is not needed in-process. */
  client(): ApiClient {
    const surface = {
      request: async <T = unknown>(request: ApiRequest): Promise<T> => (await this.send(request)).body as T,
      send: (request: ApiRequest) => this.send(request),
      serverOffset: () => this.options.serverOffset,
    } satisfies Pick<ApiClient, 'request' | 'send' | 'serverOffset'>;
    return surface as unknown as ApiClient;
  }

  /** A fresh sync (its own parent cache, starting now on the manual clock) over this API. */
  context(options: ContextOptions = {}): SyncContext {
    return newSyncContext({
      api: this.client(),
      range: {},
      bucket: 'days',
      logger: { log: (level, message) => this.logs.push(`${level} ${message}`) },
      clock: this.clock,
      signal: new AbortController().signal,
      concurrency: SERIAL,
      checkpoints: { records: Infinity, seconds: Infinity },
      ...options,
    });
  }
}

export function memoryApi(table: Record<string, Answer>, options: MemoryApiOptions = {}): MemoryApi {
  return new MemoryApi(table, options);
}

export interface Drained {
  chunks: Chunk[];
  records: Row[];
  checkpoints: Array<Record<string, unknown>>;
  /** The records emitted before the last checkpoint: what a restart from it must not need again. */
  covered: Row[];
  /** What the read threw (with `keepError`; the chunks before it are kept). */
  error?: unknown;
}

export interface DrainOptions {
  /** Stop consuming after this many chunks, as a killed sync would. */
  stopAfter?: number;
  /** Told of each chunk before the next is asked for (to move a clock between them). */
  onChunk?: (chunk: Chunk, index: number) => void;
  /** Return what the read threw, with the chunks before it, instead of throwing it. */
  keepError?: boolean;
}

/** Consumes a reader the way the sync does, and keeps what came out. */
export async function drain(read: AsyncGenerator<Chunk>, options: DrainOptions = {}): Promise<Drained> {
  const out: Drained = { chunks: [], records: [], checkpoints: [], covered: [] };
  try {
    for await (const chunk of read) {
      out.chunks.push(chunk);
      if ('records' in chunk) out.records.push(...chunk.records);
      else {
        out.checkpoints.push(chunk.checkpoint);
        out.covered = [...out.records];
      }
      options.onChunk?.(chunk, out.chunks.length - 1);
      if (options.stopAfter !== undefined && out.chunks.length >= options.stopAfter) break;
    }
  } catch (error) {
    if (!options.keepError) throw error;
    out.error = error;
  }
  return out;
}

export function idsOf(records: readonly Row[], field = 'id'): unknown[] {
  return records.map((record) => record[field]);
}
