import type { ExportFile, ExportJobs } from '../data/export-jobs.js';
import type { ExportRecord } from '../data/exports.js';
import { FilterError } from '../data/filter-tree.js';
import type { World } from '../data/world.js';
import { ApiError, jsonReply } from '../reply.js';
import { parseJsonBody } from './customers.js';
import { listReply, objectReply } from './envelope.js';
import { idParam, notFound } from './params.js';
import type { Route } from './router.js';

/** What the export routes need beyond the world: the jobs (main thread) and the download host's signer. */
export interface ExportJobsContext {
  jobs: ExportJobs;
  signedUrl(file: ExportFile): string;
}

/**
 * The exports API (§5.9): the list and single export (the seeded past exports of data/exports.ts
 * followed by the jobs this simulator ran), POST /v1/exports/customers and the download URL.
 *
 * Jobs are state, so server.ts answers these routes on the main thread with a context. Without
 * one (the route worker's copy, which never gets these paths) the list and lookup serve the
 * seeded exports only and the job endpoints answer 404.
 */
export function exportRoutes(ctx?: ExportJobsContext): Route[] {
  const seeded = (world: World, id: number): number => {
    const k = (id - 100) / 7;
    return Number.isInteger(k) && k >= 0 && k < world.exports.count ? k : -1;
  };
  return [
    {
      method: 'GET',
      pattern: '/v1/exports',
      // No exports at all is `{"exports": null}` live (S5 fixture); listReply does that.
      handle: ({ world, now }) => {
        const past = Array.from({ length: world.exports.count }, (_, k): ExportRecord => world.exports.record(k, now));
        return listReply('exports', ctx ? [...past, ...ctx.jobs.records(now)] : past);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/exports/:export_id',
      handle: ({ world, now, params }) => {
        const id = idParam(params, 'export_id');
        const k = seeded(world, id);
        const record = k >= 0 ? world.exports.record(k, now) : ctx?.jobs.recordOf(id, now);
        if (!record) throw notFound('export');
        return objectReply('export', record);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/exports/customers',
      handle: ({ now, body }) => {
        if (!ctx) throw notFound('route');
        const json = parseJsonBody(body);
        if (!('filters' in json)) throw new ApiError(400, 'The request was malformed: filters is required');
        const attributes = json.attributes ?? [];
        if (!Array.isArray(attributes) || !attributes.every((a): a is string => typeof a === 'string' && a !== '')) {
          throw new ApiError(400, 'The request was malformed: attributes must be an array of attribute names');
        }
        try {
          return objectReply('export', ctx.jobs.create(json.filters, attributes, now));
        } catch (e) {
          // The audience grammar of the customer search (data/audience-filter.ts), under the key `filters`.
          if (e instanceof FilterError) throw new ApiError(400, `The request was malformed: ${e.message.replace(/^filter\b/, 'filters')}`);
          throw e;
        }
      },
    },
    {
      method: 'GET',
      pattern: '/v1/exports/:export_id/download',
      handle: ({ world, now, params }) => {
        const id = idParam(params, 'export_id');
        // ASSUMPTION: the simulator keeps no files of the seeded past exports (they expired).
        if (!ctx || seeded(world, id) >= 0) throw notFound('export file');
        const file = ctx.jobs.download(id, now);
        if (file === 'unknown') throw notFound('export');
        // ASSUMPTION (the facts do not say): before done, and for a failed job, a 404 like an
        // unknown id, the stricter reading: only GET /v1/exports/{id} tells "not yet" from "never".
        if (file === 'pending' || file === 'failed') throw notFound(`export file (export ${id} is ${file})`);
        return jsonReply(200, { url: ctx.signedUrl(file) });
      },
    },
  ];
}
