import { parseAudienceFilter } from '../data/audience-filter.js';
import { exportColumns, exportRows } from '../data/export-jobs.js';
import type { ExportRecord } from '../data/exports.js';
import type { TruthContext } from './context.js';

/**
 * Exports (§5.9; data/export-jobs.ts). `filters` is the JSON of a request's `filters` (the
 * customer search grammar; throws on a malformed one), `attributes` the requested extra columns.
 */
export function exportTruth({ world, exportJobs, now: clock }: TruthContext) {
  const rows = (filters: unknown, attributes: readonly string[] = [], at = clock()): Generator<string[]> =>
    exportRows(world, parseAudienceFilter(filters), attributes, at);

  return {
    /**
     * GET /v1/exports items (`[]` where the API answers null): the seeded past exports, then the
     * export jobs this simulator ran (POST /v1/exports/customers), each as served now (reading it
     * may finish a job, as a GET would).
     */
    exports(): ExportRecord[] {
      const now = clock();
      const past = Array.from({ length: world.exports.count }, (_, k) => world.exports.record(k, now));
      return [...past, ...(exportJobs?.records(now) ?? [])];
    },

    /** The header row: `cio_id, id, email`, then the attributes. */
    exportColumns(attributes: readonly string[] = []): string[] {
      return exportColumns(attributes);
    },

    /**
     * The data rows a job posted at workspace time `at` writes, in file order (person index),
     * values as strings, '' where missing, equal to POST /v1/customers/attributes at that clock
     * (a generator: by index).
     */
    exportRows: rows,

    /** The `cio_id` column of those rows. */
    *exportedCioIds(filters: unknown, at = clock()): Generator<string> {
      for (const row of rows(filters, [], at)) yield row[0] as string;
    },

    /** The record of a job this simulator ran (undefined for an unknown id). */
    exportJob(id: number): ExportRecord | undefined {
      return exportJobs?.recordOf(id, clock());
    },

    /** The rows of a job this simulator ran, with the filters, attributes and clock it was posted with (undefined for an unknown id). */
    exportJobRows(id: number): Generator<string[]> | undefined {
      const spec = exportJobs?.spec(id);
      return spec && exportRows(world, spec.filter, spec.attributes, spec.at, spec.deletionBatch, spec.peopleBatch);
    },
  };
}

export type ExportTruth = ReturnType<typeof exportTruth>;
