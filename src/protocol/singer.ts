import { recordChunks, type Rendered, type TapEvent } from './events.js';

const SINGER_LEVEL = { FATAL: 'CRITICAL', ERROR: 'ERROR', WARN: 'WARNING', INFO: 'INFO', DEBUG: 'DEBUG' } as const;

/** Singer spec: SCHEMA/RECORD/STATE on stdout, everything else is a log line on stderr. */
export function renderSinger(event: TapEvent, now: number = Date.now()): Rendered {
  switch (event.kind) {
    case 'schema':
      return {
        stdout: line({
          type: 'SCHEMA',
          stream: event.stream,
          schema: event.schema,
          key_properties: event.keyProperties,
          bookmark_properties: event.bookmarkProperties,
        }),
      };
    case 'records': {
      const head = `{"type":"RECORD","stream":${JSON.stringify(event.stream)},"record":`;
      const tail = `,"time_extracted":"${new Date(now).toISOString()}"}\n`;
      return { stdout: recordChunks(event.records, head, tail) };
    }
    case 'state':
      return { stdout: line({ type: 'STATE', value: { bookmarks: event.bookmarks } }) };
    case 'status':
      return event.status === 'INCOMPLETE' ? { stderr: `WARNING Stream ${event.stream} did not complete\n` } : {};
    case 'log':
      return { stderr: `${SINGER_LEVEL[event.level]} ${event.message}\n` };
    case 'estimate':
      return {};
    case 'error': {
      const where = event.stream ? `Stream ${event.stream}: ` : '';
      const level = event.stream ? 'ERROR' : 'CRITICAL';
      const stack = event.error.code === 'INTERNAL' && event.error.stack ? `${event.error.stack}\n` : '';
      return { stderr: `${level} ${where}${event.error.userMessage} [${event.error.code}]\n${stack}` };
    }
  }
}

function line(message: object): string {
  return `${JSON.stringify(message)}\n`;
}
