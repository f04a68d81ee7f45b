import { readFileSync } from 'node:fs';
import { asTapError, TapError } from '../errors.js';
import type { HttpStats } from '../http/client.js';
import type { Logger } from '../logger.js';
import type { StreamStatus, TapEvent } from '../protocol/events.js';

export interface StreamSummary {
  records: number;
  /** Field → values that fit no type the schema declares and were emitted as null. */
  nulled: Record<string, number>;
  states: number;
  status: StreamStatus | 'PENDING';
  error?: string;
}

export interface ReadSummary {
  region: string;
  streams: Record<string, StreamSummary>;
  failed: string[];
  /** Why the read did not end well (every failed stream, or a stop), as the final error trace says. */
  error?: TapError;
  http: HttpStats;
  requestsPerSecond: number;
  budgetUsed: number;
  durationMs: number;
}

/** Per-stream counts, kept from the events as they pass. */
export function tally(streams: Record<string, StreamSummary>, event: TapEvent, failures: TapError[]): void {
  switch (event.kind) {
    case 'records': {
      const s = streams[event.stream];
      if (!s) return;
      s.records += event.records.length;
      for (const fields of event.changes ?? []) for (const field of fields ?? []) s.nulled[field] = (s.nulled[field] ?? 0) + 1;
      return;
    }
    case 'state': {
      const s = streams[event.stream];
      if (s) s.states++;
      return;
    }
    case 'status': {
      const s = streams[event.stream];
      if (s) s.status = event.status;
      return;
    }
    case 'error': {
      failures.push(asTapError(event.error));
      const s = event.stream ? streams[event.stream] : undefined;
      if (s) s.error = event.error.userMessage;
      return;
    }
    default:
      return;
  }
}

/** One line per field of a stream that had values set to null, with how many (Singer has no meta.changes). */
export function nulledWarnings(stream: string, summary: StreamSummary | undefined): string[] {
  return Object.entries(summary?.nulled ?? {}).map(
    ([field, count]) =>
      `${stream}: ${count} value${count === 1 ? '' : 's'} of ${field} fit no type the schema declares and ${count === 1 ? 'was' : 'were'} emitted as null`,
  );
}

/** The closing log lines of a read: requests and budget, CPU and memory, and every value nulled. */
export function logSummary(
  logger: Logger,
  streams: Record<string, StreamSummary>,
  http: HttpStats,
  budget: number,
): { requestsPerSecond: number; budgetUsed: number } {
  const span = http.firstAt !== undefined && http.lastAt !== undefined ? (http.lastAt - http.firstAt) / 1000 : 0;
  const requestsPerSecond = http.requests > 1 && span > 0 ? (http.requests - 1) / span : 0;
  const budgetUsed = requestsPerSecond / budget;
  const records = Object.values(streams).reduce((sum, s) => sum + s.records, 0);
  const cpu = process.cpuUsage();
  logger.log(
    'INFO',
    `Read ${records} records from ${Object.keys(streams).length} streams with ${http.requests} requests in ${span.toFixed(1)} s: ` +
      `${requestsPerSecond.toFixed(2)} requests/s (${Math.round(budgetUsed * 100)}% of the ${budget}/s budget), ${http.rateLimited} rate-limited (429); ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s, peak RSS ${peakRssMegabytes()} MB`,
  );
  const nulled = Object.entries(streams).flatMap(([name, s]) => Object.entries(s.nulled).map(([field, count]) => `${name}.${field} ×${count}`));
  if (nulled.length > 0) logger.log('WARN', `Values emitted as null because they fit no type their schema declares: ${nulled.join(', ')}`);
  return { requestsPerSecond, budgetUsed };
}

/**
 * The streams that did not complete, and the error that says so, if any: a stop (a signal, a
 * closed stdout) is the one cause of all of them; otherwise a config error first.
 */
export function failedStreams(streams: Record<string, StreamSummary>, failures: TapError[], stop?: TapError): { failed: string[]; error?: TapError } {
  const failed = Object.entries(streams)
    .filter(([, s]) => s.status !== 'COMPLETE')
    .map(([name]) => name);
  // A bug stopped the sync: even if every stream got to the end, the run is not to be trusted.
  if (failed.length === 0 && stop?.code !== 'UNHANDLED') return { failed };
  if (stop) {
    return {
      failed,
      error: new TapError(
        stop.code,
        `${stop.message}: ${failed.length} of ${Object.keys(streams).length} streams did not complete${failed.length > 0 ? `: ${failed.join(', ')}` : ''}`,
        {
          hint: `${stop.hint ? `${stop.hint}. ` : ''}Each stream's last STATE covers every record emitted before it: run the sync again with the last STATE to continue from there`,
        },
      ),
    };
  }
  const worst = failures.find((f) => f.failureType === 'config_error') ?? failures[0];
  const error = new TapError(worst?.code ?? 'INTERNAL', `${failed.length} of ${Object.keys(streams).length} streams did not complete: ${failed.join(', ')}`, {
    hint: worst ? `First problem: ${worst.userMessage}` : 'See the errors above',
  });
  return { failed, error };
}

/**
 * The process's own peak resident memory. getrusage's maxRSS survives exec on Linux, so a tap
 * started by a large parent reported the parent's peak; /proc/self/status VmHWM is this process's.
 */
function peakRssMegabytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.round(Number(match[1]) / 1024);
  } catch {
    // not Linux: fall back below
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
