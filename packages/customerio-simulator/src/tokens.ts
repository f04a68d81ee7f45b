import { ApiError } from './reply.js';

/**
 * Pagination tokens. They are opaque to clients but must round-trip exactly (case and padding
 * preserved), so decoding re-encodes and compares: a token a client mangled is a 400, never a
 * silently different page.
 *
 * - offset tokens: base64 of the offset ("MTAwMA==" is offset 1000), for plain lists.
 * - cursor tokens: base64 of "hop:position" ("MDoxNTA=" is 0:150). `hop` distinguishes an empty
 *   page from the page that follows it at the same position, so no token is ever served twice.
 * - feed tokens: 18-digit strings ("900000000000000014"), like live activity cursors.
 */
export function offsetToken(offset: number): string {
  return Buffer.from(String(offset)).toString('base64');
}

export function parseOffsetToken(token: string): number {
  const text = decodeExact(token);
  if (text === null || !/^(0|[1-9][0-9]*)$/.test(text)) throw badToken();
  return Number(text);
}

export interface CursorPosition {
  hop: number;
  position: number;
}

export function cursorToken(hop: number, position: number): string {
  return Buffer.from(`${hop}:${position}`).toString('base64');
}

export function parseCursorToken(token: string): CursorPosition {
  const text = decodeExact(token);
  const m = text === null ? null : /^(0|[1-9][0-9]*):(-1|0|[1-9][0-9]*)$/.exec(text);
  if (m === null) throw badToken();
  return { hop: Number(m[1]), position: Number(m[2]) };
}

/** Feed tokens: a one-digit section (8 = future-dated head, 9 = ordinary feed) and a 17-digit position. */
export function feedToken(section: 8 | 9, position: number): string {
  return `${section}${String(position).padStart(17, '0')}`;
}

export function parseFeedToken(token: string): { section: 8 | 9; position: number } {
  const m = /^([89])([0-9]{17})$/.exec(token);
  if (m === null) throw badToken();
  return { section: m[1] === '8' ? 8 : 9, position: Number(m[2]) };
}

function decodeExact(token: string): string | null {
  if (token === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return null;
  const text = Buffer.from(token, 'base64').toString('utf8');
  return Buffer.from(text).toString('base64') === token ? text : null;
}

function badToken(): ApiError {
  return new ApiError(400, 'The request was malformed: invalid value for parameter start');
}
