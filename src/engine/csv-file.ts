import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';

/** A data row of a CSV file: header name → cell. */
export type CsvRow = Record<string, string>;

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * The rows of a CSV file with a header row, as the bytes arrive: gzip is told by its magic bytes
 * (storage hosts label both kinds `application/octet-stream`), nothing is held beyond a chunk,
 * and a malformed file (a short or long row, an unclosed quote, a broken gzip) throws.
 */
export async function* csvRows(body: Readable): AsyncGenerator<CsvRow> {
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  while (head.length < GZIP_MAGIC.length) {
    const next = await source.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  if (head.length === 0) return;
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const bytes = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
    { objectMode: false },
  );
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: false });
  const done = (error: Error | null): void => {
    if (error) parser.destroy(error);
  };
  if (gzip) pipeline(bytes, createGunzip(), parser, done);
  else pipeline(bytes, parser, done);
  try {
    for await (const row of parser as AsyncIterable<CsvRow>) yield row;
  } finally {
    body.destroy();
  }
}
