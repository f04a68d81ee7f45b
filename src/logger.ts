import type { LogLevel } from './protocol/events.js';

/** Where the tap's own messages go: Airbyte LOG messages, Singer stderr, or stderr for tools. */
export interface Logger {
  log(level: LogLevel, message: string): void;
}
