import type { CsvRow } from '../engine/csv-file.js';
import type { BulkExport, ExportJob, Row } from '../engine/stream.js';
import { EVERYONE } from './people.js';

/** The workspace's counts record (the region probe's answer), asked at most once per sync. */
export type WorkspaceCounts = () => Promise<Row | undefined>;

export interface PeopleSource {
  source: 'search' | 'export' | 'auto';
  /** With auto: more people than this are read by export. */
  threshold: number;
  /** Attributes to export; undefined: learned from profiles read the exact way. */
  attributes: string[] | undefined;
  timeoutMinutes: number;
  counts: WorkspaceCounts;
}

/** Columns every customer export has (§5.9): they are identifiers, never asked as attributes. */
const IDENTIFIERS = ['cio_id', 'id', 'email'] as const;
const isIdentifier = (name: string): boolean => (IDENTIFIERS as readonly string[]).includes(name);

/** Profiles read the exact way to learn the columns, and again to check the file: two requests each. */
const SAMPLE = 200;

/**
 * People through the Exports API (§5.9): one job for the whole workspace, filtered the way the
 * search path is (`cio_id exists`: everyone), its CSV mapped by header to the people schema.
 * An export carries identifiers and attributes as text: not devices, timestamps or unsubscribed.
 */
export function peopleExport(options: PeopleSource): BulkExport {
  const configured = options.attributes !== undefined;
  return {
    choose: () => choose(options),
    configured,
    columns: (exact) => (options.attributes ? uniqueSorted(options.attributes) : uniqueSorted(exact.flatMap((person) => Object.keys(attributesOf(person))))),
    start: (columns) => ({
      method: 'POST',
      path: '/v1/exports/customers',
      body: { filters: EVERYONE.filter, attributes: columns.filter((c) => !isIdentifier(c)) },
    }),
    job: jobOf,
    status: (id) => ({ path: `/v1/exports/${encodeURIComponent(id)}` }),
    download: (id) => ({ path: `/v1/exports/${encodeURIComponent(id)}/download` }),
    url: (body) => (typeof body['url'] === 'string' && body['url'] !== '' ? body['url'] : undefined),
    record: personOf,
    disagreement: (file, exact, job, columns) => disagreement(file, exact, job, columns, configured),
    cannotCarry: ['devices', 'timestamps', 'unsubscribed'],
    timeoutSeconds: options.timeoutMinutes * 60,
    sampleSize: SAMPLE,
  };
}

async function choose(options: PeopleSource): Promise<{ use: boolean; why: string }> {
  if (options.source !== 'auto') return { use: options.source === 'export', why: `read by ${options.source} (people_source)` };
  const count = (await options.counts())?.['people'];
  if (typeof count !== 'number') return { use: false, why: 'read by search: the workspace counts (GET /v1/workspaces) gave no number of people' };
  const use = count > options.threshold;
  return {
    use,
    why: `read by ${use ? 'export' : 'search'}: the workspace has ${count} people, ${use ? 'more' : 'not more'} than people_export_threshold ${options.threshold}`,
  };
}

function jobOf(body: Row): ExportJob | undefined {
  const job = body['export'];
  if (!job || typeof job !== 'object') return undefined;
  const { id, status, total, failed, created_at: createdAt } = job as Row;
  if ((typeof id !== 'number' && typeof id !== 'string') || id === '') return undefined;
  const state = failed === true || status === 'failed' ? 'failed' : status === 'done' ? 'done' : 'pending';
  return {
    id: String(id),
    status: state,
    total: Number(total) || 0,
    createdAt: typeof createdAt === 'number' ? createdAt : Number.isFinite(Number(createdAt)) ? Number(createdAt) : undefined,
  };
}

/** A file row as the search path emits the person: identifiers, then the non-empty attributes in name order. */
function personOf(row: CsvRow, columns: string[]): Row {
  const text = (name: string): string | null => (row[name] === undefined || row[name] === '' ? null : (row[name] as string));
  const cioId = text('cio_id');
  const attributes: Row = {};
  for (const name of columns) {
    const value = text(name);
    if (value !== null) attributes[name] = value;
  }
  return { cio_id: cioId, id: text('id'), identifiers: { cio_id: cioId, id: text('id'), email: text('email') }, attributes };
}

/** The exported cells against the profile read the exact way; a value changed after the job's snapshot is not a disagreement. */
function disagreement(file: Row, exact: Row, job: ExportJob, columns: string[], configured: boolean): string | undefined {
  const ids = (exact['identifiers'] ?? {}) as Row;
  const fileIds = file['identifiers'] as Row;
  for (const name of IDENTIFIERS) {
    const theirs = cell(ids[name] ?? (name === 'cio_id' ? exact['cio_id'] : undefined));
    if (cell(fileIds[name]) !== theirs) return `${name} is "${cell(fileIds[name])}" in the export and "${theirs}" the exact way`;
  }
  const exactAttributes = attributesOf(exact);
  const fileAttributes = file['attributes'] as Row;
  const timestamps = (exact['timestamps'] ?? {}) as Row;
  const changedSince = (name: string): boolean => {
    const at = Number(timestamps[name]);
    return job.createdAt !== undefined && Number.isFinite(at) && at > job.createdAt;
  };
  for (const name of columns) {
    if (cell(fileAttributes[name]) !== cell(exactAttributes[name]) && !changedSince(name)) {
      return `attribute "${name}" is "${cell(fileAttributes[name])}" in the export and "${cell(exactAttributes[name])}" the exact way`;
    }
  }
  if (!configured) {
    const missing = Object.keys(exactAttributes).find((name) => !columns.includes(name) && !changedSince(name));
    if (missing !== undefined) return `attribute "${missing}" is not among the exported columns (set people_export_attributes to choose them)`;
  }
  return undefined;
}

function attributesOf(person: Row): Row {
  const attributes = person['attributes'];
  return attributes && typeof attributes === 'object' && !Array.isArray(attributes) ? (attributes as Row) : {};
}

/** A value as an export cell holds it: text, '' for nothing. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function uniqueSorted(names: string[]): string[] {
  return [...new Set(names)].sort();
}
