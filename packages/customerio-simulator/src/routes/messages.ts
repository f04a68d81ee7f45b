import type { World } from '../data/world.js';
import { ApiError, type Reply } from '../reply.js';
import { emptyPageAt } from '../quirks.js';
import { EmptyPageScope } from '../tags.js';
import { DAY } from '../scale.js';
import { cursorToken, parseCursorToken } from '../tokens.js';
import { listReply, objectReply } from './envelope.js';
import { integerParam, limitParam, notFound, startParam } from './params.js';
import type { Route } from './router.js';

export const MESSAGES_LIMIT = { default: 50, max: 1000 };

/**
 * "At most 6 months per request" (§5.2) is prose only and its enforcement is UNCONFIRMED; the
 * simulator takes the stricter reading: a window longer than 183 days is a 400, never clamped.
 */
export const MAX_WINDOW_SECONDS = 183 * DAY;

export interface MessageWindow {
  start: number;
  end: number;
}

/**
 * Default and one-sided windows (§5.2): none → the latest 6 months; only end_ts → 6 months before
 * it; only start_ts → from it up to now, and (stricter reading of "end = now and 6 months back")
 * a 400 when that is longer than 6 months rather than a silent clamp. Both bounds are inclusive;
 * an end in the future simply ends at the clock.
 */
export function messageWindow(query: URLSearchParams, now: number): MessageWindow {
  const startTs = integerParam(query, 'start_ts');
  const endTs = integerParam(query, 'end_ts');
  const end = endTs ?? now;
  const start = startTs ?? end - MAX_WINDOW_SECONDS;
  if (start < 0 && startTs !== undefined) throw new ApiError(400, 'The request was malformed: start_ts must not be negative');
  if (start > end) throw new ApiError(400, 'The request was malformed: start_ts is after end_ts');
  if (end - start > MAX_WINDOW_SECONDS) {
    throw new ApiError(400, 'The request was malformed: the time range between start_ts and end_ts must be 6 months or less');
  }
  return { start, end };
}

export function messageRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/messages',
      handle: ({ world, now, query }) => {
        const limit = limitParam(query, MESSAGES_LIMIT);
        const window = messageWindow(query, now);
        const start = startParam(query);
        const timeline = world.messages.timeline;
        const lo = timeline.firstAtOrAfter(window.start);
        const hi = timeline.lastAtOrBefore(Math.min(window.end, now));
        // The cursor holds the absolute index of the next (older) message, so messages created
        // while a client pages newest-first never shift the pages it has not read yet.
        const cursor = start === undefined ? { hop: 0, position: hi } : parseCursorToken(start);
        const from = Math.min(cursor.position, hi);
        if (from < lo) return listReply('messages', [], '');
        if (cursor.hop === 0 && emptyPageAt(world.seed, EmptyPageScope.messages, from)) {
          return listReply('messages', [], cursorToken(1, from));
        }
        const to = Math.max(lo, from - limit + 1);
        const records = [];
        for (let k = from; k >= to; k--) records.push(world.messages.record(k, now));
        // A full page always carries a `next` (the page after the last one is empty, next "").
        return listReply('messages', records, records.length === limit ? cursorToken(0, to - 1) : '');
      },
    },
    {
      method: 'GET',
      pattern: '/v1/messages/:message_id',
      handle: ({ world, now, params }) => messageById(world, params['message_id'] ?? '', now),
    },
  ];
}

function messageById(world: World, id: string, now: number): Reply {
  const k = world.messages.indexOfId(id);
  if (k < 0 || world.messages.created(k) > now) throw notFound('message');
  return objectReply('message', world.messages.record(k, now));
}
