import type { TapError } from '../errors.js';
import { recordChunks, type Rendered, type TapEvent } from './events.js';

/** Airbyte protocol: every event becomes one AirbyteMessage line on stdout. */
export function renderAirbyte(event: TapEvent, now: number = Date.now()): Rendered {
  switch (event.kind) {
    case 'schema':
      return {};
    case 'records': {
      // Hand-built envelope: byte-identical to JSON.stringify of the object, without building it.
      const head = `{"type":"RECORD","record":{"stream":${JSON.stringify(event.stream)},"data":`;
      const tail = `,"emitted_at":${now}}}\n`;
      const changes = event.changes;
      if (!changes) return { stdout: recordChunks(event.records, head, tail) };
      return {
        stdout: recordChunks(event.records, head, (i) => {
          const fields = changes[i];
          return fields ? withChanges(fields, now) : tail;
        }),
      };
    }
    case 'state':
      return {
        stdout: line({
          type: 'STATE',
          state: {
            type: 'STREAM',
            stream: { stream_descriptor: { name: event.stream }, stream_state: event.value },
            sourceStats: { recordCount: event.recordCount },
          },
        }),
      };
    case 'status':
      return {
        stdout: line({
          type: 'TRACE',
          trace: {
            type: 'STREAM_STATUS',
            emitted_at: now,
            stream_status: {
              stream_descriptor: { name: event.stream },
              status: event.status,
              ...(event.rateLimitedUntil === undefined ? {} : { reasons: [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: event.rateLimitedUntil } }] }),
            },
          },
        }),
      };
    case 'log':
      return { stdout: line({ type: 'LOG', log: { level: event.level, message: event.message } }) };
    case 'estimate':
      return {
        stdout: line({
          type: 'TRACE',
          trace: { type: 'ESTIMATE', emitted_at: now, estimate: { name: event.stream, type: 'STREAM', row_estimate: event.rows } },
        }),
      };
    case 'error':
      return { stdout: line(airbyteErrorTrace(event.error, event.stream, now)) };
  }
}

/** The end of a RECORD whose listed fields were set to null because they fit no declared type. */
function withChanges(fields: readonly string[], now: number): string {
  const changes = fields.map((field) => ({ field, change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' }));
  return `,"emitted_at":${now},"meta":${JSON.stringify({ changes })}}}\n`;
}

function airbyteErrorTrace(error: TapError, stream: string | undefined, now: number): object {
  return {
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: now,
      error: {
        message: error.userMessage,
        internal_message: `${error.code}: ${error.message}`,
        failure_type: error.failureType,
        ...(error.code === 'INTERNAL' && error.stack ? { stack_trace: error.stack } : {}),
        ...(stream ? { stream_descriptor: { name: stream } } : {}),
      },
    },
  };
}

export function line(message: object): string {
  return `${JSON.stringify(message)}\n`;
}
