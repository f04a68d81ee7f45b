/** A fully computed HTTP answer; the server decides how (and whether) it reaches the wire. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: JSON.stringify(value) };
}

/**
 * The dominant Customer.io error envelope. `status` is a string as in the current spec and S3's
 * fixtures, or a number as S6 types it (§3: parse it as string|number); data/drift.ts decides
 * which answers get the number.
 */
export function errorsEnvelope(status: number, detail: string, statusAsNumber = false): string {
  return JSON.stringify({ errors: [{ detail, status: statusAsNumber ? status : String(status) }] });
}

export function errorReply(status: number, detail: string, headers: Record<string, string> = {}, statusAsNumber = false): Reply {
  return { status, headers, body: errorsEnvelope(status, detail, statusAsNumber) };
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
