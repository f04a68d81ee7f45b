import type { AttemptInfo } from '../http/client.js';

/**
 * singer-python's metric log lines (`INFO METRIC: {...}` on stderr), which Singer tooling
 * collects: a record counter per stream and a timer per HTTP request.
 */
export function singerCounter(stream: string, records: number): string {
  return `METRIC: ${JSON.stringify({ type: 'counter', metric: 'record_count', value: records, tags: { endpoint: stream } })}`;
}

export function singerTimer(attempt: AttemptInfo): string {
  // Ids in paths would make every request its own series: name the route, not the id.
  const endpoint = attempt.path.replace(/\/(\d+|cio_[^/]+)(?=\/|$)/g, '/:id');
  return `METRIC: ${JSON.stringify({
    type: 'timer',
    metric: 'http_request_duration',
    value: Math.round(attempt.durationMs) / 1000,
    tags: { endpoint, http_status_code: attempt.status ?? null, status: attempt.ok ? 'succeeded' : 'failed' },
  })}`;
}
