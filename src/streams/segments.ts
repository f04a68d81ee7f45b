import { defineStream, type Row } from '../engine/stream.js';

export const segments = defineStream({
  name: 'segments',
  scope: 'Segments',
  path: '/v1/segments',
  records: 'segments',
  primaryKey: [['id']],
  cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 3600 },
  pagination: { kind: 'none' },
});

/** One row per member: the identifiers entry plus the segment it belongs to. */
function membershipRows(body: Row, segment: Row | undefined): Row[] {
  const identifiers = body['identifiers'];
  if (!Array.isArray(identifiers)) return []; // null for an empty segment
  const segmentId = segment?.['id'];
  return identifiers.map((entry: Row) => ({
    segment_id: segmentId,
    cio_id: entry['cio_id'],
    id: entry['id'] ?? null,
    email: entry['email'] ?? null,
  }));
}

export const segmentMemberships = defineStream({
  name: 'segment_memberships',
  scope: 'Segments',
  personalData: true,
  resumable: true,
  parent: segments,
  path: '/v1/segments/{id}/membership',
  records: membershipRows,
  primaryKey: [['segment_id'], ['cio_id']],
  pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 30_000 } },
  history: 'current members only (the API keeps no membership history)',
});

export const segmentUsage = defineStream({
  name: 'segment_usage',
  scope: 'Segments',
  parent: segments,
  path: '/v1/segments/{id}/used_by',
  // One object per segment, not a list.
  records: (body, segment) => {
    const usedBy = body['used_by'];
    if (!usedBy || typeof usedBy !== 'object') return [];
    return [{ ...(usedBy as Row), segment_id: (usedBy as Row)['segment_id'] ?? segment?.['id'] ?? null }];
  },
  primaryKey: [['segment_id']],
  pagination: { kind: 'none' },
});
