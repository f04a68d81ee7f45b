import type { Readable } from 'node:stream';
import { request } from 'undici';
import { TapError } from '../errors.js';

/** Why a download could not start: the signed link has expired (ask for a new one), or it failed. */
export type DownloadRefusal = 'expired' | 'failed';

export class DownloadError extends Error {
  constructor(
    readonly refusal: DownloadRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Opens a signed file link (an export's storage host, not the API host) as a byte stream.
 * Nothing of the API client is reused: no Authorization header, no API pool, and no redirect
 * is followed, so the API key can never reach another host. A storage host that refuses the
 * signature (expired) makes the caller ask the API for a fresh link.
 */
export async function openDownload(url: string, options: { signal: AbortSignal; timeoutMs: number }): Promise<Readable> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TapError('API_RESPONSE_INVALID', 'The export download link is not a URL', { hint: 'The API answered an unusable link: retry the sync later' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TapError('API_RESPONSE_INVALID', `The export download link uses ${parsed.protocol}, not https`, {
      hint: 'The API answered an unusable link: retry the sync later',
    });
  }
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(parsed, {
      method: 'GET',
      headers: { accept: '*/*', 'user-agent': 'tap-customerio' },
      signal: options.signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new DownloadError('failed', `the export file could not be fetched from ${parsed.host} (${(error as Error).message})`);
  }
  const status = answer.statusCode;
  if (status === 200) return answer.body;
  await answer.body.dump().catch(() => undefined);
  // S3 answers an expired signature with 403, GCS with 400, others with 401 or 410: each is worth one fresh link.
  if ([400, 401, 403, 410].includes(status))
    throw new DownloadError('expired', `the export link was refused by ${parsed.host} (${status}: expired or invalid signature)`);
  if (status >= 300 && status < 400) throw new DownloadError('failed', `${parsed.host} redirected the export download (${status}); redirects are not followed`);
  throw new DownloadError('failed', `${parsed.host} answered ${status} to the export download`);
}
