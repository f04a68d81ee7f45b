/** A fully computed HTTP answer; the server decides how (and whether) it reaches the wire. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: JSON.stringify(value) };
}

/** The dominant Customer.io error envelope; `status` is a string as in the current spec. */
export function errorsEnvelope(status: number, detail: string): string {
  return JSON.stringify({ errors: [{ detail, status: String(status) }] });
}

export function errorReply(status: number, detail: string, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: errorsEnvelope(status, detail) };
}

/** Thrown by route code for 4xx answers; the API layer turns it into the errors envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}
