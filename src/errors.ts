/**
 * Every failure the tap reports carries a stable `code` (match on it, never on message text),
 * a user-facing message that names the problem, and a `hint` that names the fix.
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CATALOG_INVALID'
  | 'STATE_INVALID'
  | 'AUTH_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'API_UNAVAILABLE'
  | 'API_RESPONSE_INVALID'
  | 'REQUEST_REJECTED'
  | 'INTERRUPTED'
  | 'OUTPUT_CLOSED'
  | 'EXPORT_UNREADABLE'
  | 'UNHANDLED'
  | 'NOT_INSTALLED'
  | 'INTERNAL';

export type FailureType = 'config_error' | 'system_error' | 'transient_error';

const FAILURE_TYPES: Record<ErrorCode, FailureType> = {
  USAGE: 'config_error',
  CONFIG_INVALID: 'config_error',
  CATALOG_INVALID: 'config_error',
  STATE_INVALID: 'config_error',
  AUTH_FAILED: 'config_error',
  FORBIDDEN: 'config_error',
  NOT_FOUND: 'system_error',
  RATE_LIMITED: 'transient_error',
  API_UNAVAILABLE: 'transient_error',
  API_RESPONSE_INVALID: 'transient_error',
  REQUEST_REJECTED: 'system_error',
  INTERRUPTED: 'transient_error',
  OUTPUT_CLOSED: 'system_error',
  EXPORT_UNREADABLE: 'transient_error',
  UNHANDLED: 'system_error',
  NOT_INSTALLED: 'system_error',
  INTERNAL: 'system_error',
};

export interface TapErrorOptions {
  hint?: string;
  cause?: unknown;
  stream?: string;
  status?: number;
}

export class TapError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly stream: string | undefined;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: TapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TapError';
    this.code = code;
    this.hint = options.hint;
    this.stream = options.stream;
    this.status = options.status;
  }

  get failureType(): FailureType {
    return FAILURE_TYPES[this.code];
  }

  /** The one sentence a person reads: the problem, then the fix. */
  get userMessage(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }

  withStream(stream: string): TapError {
    if (this.stream === stream) return this;
    const copy = new TapError(this.code, this.message, {
      hint: this.hint,
      cause: this.cause,
      stream,
      status: this.status,
    });
    copy.stack = this.stack;
    return copy;
  }
}

/** Anything thrown that is not a TapError is a bug in the tap: wrap it, keep the stack for stderr. */
export function asTapError(error: unknown): TapError {
  if (error instanceof TapError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new TapError('INTERNAL', `Internal error: ${message}`, {
    hint: 'This is a bug in tap-customerio; please report it with the log above',
    cause: error,
  });
  if (error instanceof Error && error.stack) wrapped.stack = error.stack;
  return wrapped;
}
