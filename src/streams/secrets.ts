import type { Row } from '../engine/stream.js';

/** Names of URL parameters and headers that carry credentials. */
const SECRET_NAME = /token|key|secret|pass(word)?|auth|sig(nature)?|credential|cookie/i;

/** A URL without the user:password@ part and without secret-looking query parameters. */
export function withoutCredentials(endpoint: unknown): unknown {
  if (typeof endpoint !== 'string') return endpoint;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint.replace(/\/\/[^/@\s]*@/, '//');
  }
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) if (SECRET_NAME.test(name)) url.searchParams.delete(name);
  return url.toString();
}

/**
 * Webhook actions carry their custom headers as a JSON string of {name, value}: the ones that
 * hold credentials (Authorization, X-Api-Key…) are removed, the rest kept.
 */
export function withoutSecretHeaders(headers: unknown): unknown {
  if (typeof headers !== 'string' || headers.trim() === '') return headers;
  let parsed: unknown;
  try {
    parsed = JSON.parse(headers);
  } catch {
    return null; // unreadable: it cannot be checked, so it is not passed on
  }
  if (!Array.isArray(parsed)) return null;
  return JSON.stringify(parsed.filter((h: Row) => !(typeof h?.['name'] === 'string' && SECRET_NAME.test(h['name']))));
}

/** A campaign or broadcast action with its webhook URL and headers cleaned. */
export function withoutActionSecrets(action: Row): Row {
  if (action['url'] === undefined && action['headers'] === undefined) return action;
  return { ...action, url: withoutCredentials(action['url']), headers: withoutSecretHeaders(action['headers']) };
}
