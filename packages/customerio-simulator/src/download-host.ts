import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { csvLine, exportColumns, exportRows, type ExportFile, type ExportJobs } from './data/export-jobs.js';
import type { World } from './data/world.js';
import type { DownloadStats } from './types.js';

/** Rows generated between two writes (and two turns of the event loop). */
const ROWS_PER_WRITE = 512;

/**
 * The storage host that export download URLs point to (§5.9): a second HTTP server on its own
 * loopback port, never the API host, playing a presigned object store (S3-like, an ASSUMPTION:
 * the vendor names no host).
 *
 * - URLs are signed (HMAC with a per-simulator secret over path and expiry) and expire
 *   `ttlSeconds` after issue (15 minutes, §5.9) on the real clock: the host's clock is not the
 *   frozen workspace clock. A tampered or expired URL is a 403 with an XML error body.
 * - A request carrying `Authorization` is counted (the tap must never send its API key here) and
 *   refused with 400, as S3 refuses a presigned URL with a second auth mechanism (ASSUMPTION).
 * - Files are streamed row by row from the person index with backpressure, never held in memory,
 *   gzip-compressed for jobs that say so, with `Content-Type: application/octet-stream` and no
 *   `Content-Encoding` either way (only magic bytes tell), chunked (no Content-Length), and
 *   never redirected.
 */
export class DownloadHost {
  private readonly server: http.Server;
  private readonly secret = randomBytes(32);
  private readonly counts: DownloadStats = emptyDownloadStats();
  private port = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly world: World,
    private readonly jobs: ExportJobs,
    private readonly host: string,
    private readonly ttlSeconds: number,
    private readonly wallMs: () => number = () => Date.now(),
  ) {
    this.server = http.createServer({ keepAlive: true }, (req, res) => {
      this.onRequest(req, res).catch(() => res.destroy());
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** 'http://HOST:PORT' of this host. */
  origin(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** A signed URL for a job's file, valid for `ttlSeconds` from now (Expires: unix milliseconds). */
  signedUrl(file: ExportFile): string {
    const path = `/exports/${file.id}/${randomBytes(8).toString('hex')}/customers.csv`;
    const expires = this.wallMs() + Math.round(this.ttlSeconds * 1000);
    return `${this.origin()}${path}?Expires=${expires}&Signature=${this.sign(path, expires)}`;
  }

  stats(): DownloadStats {
    return { ...this.counts };
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private sign(path: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest('hex');
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.requests++;
    if (req.headers.authorization !== undefined) {
      this.counts.withAuthorization++;
      return this.refuse(
        res,
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the signed URL query parameters or the Authorization header may be given',
      );
    }
    const url = new URL(req.url ?? '/', 'http://download.invalid');
    const expires = Number(url.searchParams.get('Expires') ?? '');
    const given = Buffer.from(url.searchParams.get('Signature') ?? '', 'utf8');
    const wanted = Buffer.from(Number.isSafeInteger(expires) ? this.sign(url.pathname, expires) : '', 'utf8');
    if (req.method !== 'GET' || wanted.length === 0 || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return this.refuse(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided');
    }
    if (this.wallMs() >= expires) return this.refuse(res, 403, 'AccessDenied', 'Request has expired');
    const m = /^\/exports\/([0-9]+)\//.exec(url.pathname);
    const file = m ? this.jobs.fileOf(Number(m[1])) : undefined;
    if (!file) return this.refuse(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    this.counts.served++;
    await this.stream(file, res);
  }

  private async stream(file: ExportFile, res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'private' });
    let gone = false;
    res.once('close', () => (gone = true));
    const gzip = file.gzip ? createGzip() : undefined;
    if (gzip) {
      gzip.pipe(res);
      gzip.once('error', () => res.destroy());
    }
    const out: Writable = gzip ?? res;
    let chunk = csvLine(exportColumns(file.attributes));
    let n = 0;
    for (const row of exportRows(this.world, file.filter, file.attributes, file.at, file.deletionBatch, file.peopleBatch)) {
      chunk += csvLine(row);
      this.counts.rowsWritten++;
      if (++n % ROWS_PER_WRITE !== 0) continue;
      if (gone) return void gzip?.destroy();
      const more = out.write(chunk);
      chunk = '';
      // Backpressure: generate no further than the client reads. Then always a turn of the event
      // loop: a socket that drains synchronously emits 'drain' from process.nextTick, and a loop
      // fed only by that would starve the API front (its timers and sockets) for the whole file.
      if (!more) await drained(out, res);
      await tick();
    }
    if (gone) return void gzip?.destroy();
    out.end(chunk);
    this.counts.completed++;
  }

  private refuse(res: ServerResponse, status: number, code: string, message: string): void {
    this.counts.rejected++;
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }
}

export function emptyDownloadStats(): DownloadStats {
  return { requests: 0, withAuthorization: 0, served: 0, completed: 0, rejected: 0, rowsWritten: 0 };
}

/** Resolves when `out` drains or the response is gone, whichever comes first. */
function drained(out: Writable, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      res.off('close', done);
      resolve();
    };
    out.once('drain', done);
    res.once('close', done);
  });
}
