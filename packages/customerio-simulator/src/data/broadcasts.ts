import { Draw, hash32 } from '../random.js';
import { DAY, LEGACY_AGE_DAYS } from '../scale.js';
import { Tag } from '../tags.js';
import { actionRecord, type ActionRecord } from './actions.js';
import type { ActionRef } from './campaigns.js';
import { actionIdAsInteger, idAs, templateIdsBare } from './drift.js';
import { updatedAt } from './schedule.js';
import { TAGS, TOPICS } from './text.js';

export interface BroadcastRecord {
  id: number;
  deduplicate_id: string;
  name: string;
  type: 'triggered_broadcast';
  state: 'running' | 'draft';
  active: boolean;
  created: number;
  updated: number;
  first_started: number | null;
  tags: string[] | null;
  /** null, not [], for the broadcast without actions (§4). */
  actions: ActionRef[] | null;
  /**
   * Deprecated in the spec, still served: the same refs as `actions`, or for one broadcast in
   * three the bare action ids (drift.ts templateIdsBare); null when there are none.
   */
  msg_template_ids: ActionRef[] | number[] | null;
}

/** A broadcast action: the campaign action shape, owned by a broadcast instead of a campaign (data/actions.ts actionRecord). */
export type BroadcastActionRecord = Omit<ActionRecord, 'broadcast_id' | 'campaign_id'> & {
  broadcast_id: number;
  campaign_id: null;
};

export interface BroadcastTriggerRecord {
  id: number;
  broadcast_id: number;
  created_at: number;
  /** null while the trigger is still being processed. */
  processed_at: number | null;
}

interface BroadcastShape {
  id: number;
  created: number;
  state: 'running' | 'draft';
  actionCount: number;
  triggerCount: number;
  /** The actions list comes in two pages (a `next` the spec does not declare; S3 follows it). */
  twoPages: boolean;
}

/** Broadcasts with more actions than this may split them over two pages. */
export const BROADCAST_FIRST_PAGE = 6;

// The listBroadcasts enum for actions[].type (§5.5): sms, not twilio.
const ACTION_TYPES: readonly (readonly [string, number])[] = [
  ['email', 6],
  ['webhook', 1],
  ['push', 1],
  ['sms', 1],
  ['slack', 1],
];

/**
 * Broadcasts are campaigns in Customer.io's id space (trigger errors live under
 * /campaigns/{broadcast_id}/…), so they take the even ids that campaigns (odd ids) leave free.
 */
export function broadcastId(k: number): number {
  return 2 + 2 * k;
}

/** Action ids follow the campaign rule (owner id × 100 + position + 1), so they never collide. */
export function broadcastActionId(id: number, j: number): number {
  return id * 100 + j + 1;
}

export class Broadcasts {
  private readonly shapes: BroadcastShape[] = [];

  constructor(
    private readonly seed: number,
    count: number,
    private readonly origin: number,
  ) {
    const span = 2 * 365 * DAY;
    for (let k = 0; k < count; k++) {
      const draw = new Draw(seed, Tag.broadcast, k, 2);
      // Edge cases first: #0 a draft never triggered and still without actions, #1 the maximum
      // of 12 actions in two pages, #2 the maximum of 5 triggers and the oldest history
      // (LEGACY_AGE_DAYS, past any metrics window); the rest 1..12 actions and 0..5 triggers.
      const state =
        k === 0
          ? 'draft'
          : k === 2
            ? 'running'
            : draw.weighted([
                ['running', 4],
                ['draft', 1],
              ] as const);
      const actionCount = k === 0 ? 0 : k === 1 ? 12 : draw.range(1, 12);
      const triggerCount = state === 'draft' ? 0 : k === 2 ? 5 : draw.int(6);
      const twoPages = actionCount > BROADCAST_FIRST_PAGE && (k === 1 || hash32(seed, Tag.broadcastPaging, k) % 4 === 0);
      const spread = origin - span + Math.floor((k * (span - 30 * DAY)) / Math.max(1, count));
      this.shapes.push({
        id: broadcastId(k),
        created: (k === 2 ? origin - LEGACY_AGE_DAYS * DAY : spread) + draw.int(DAY),
        state,
        actionCount,
        triggerCount,
        twoPages,
      });
    }
  }

  get count(): number {
    return this.shapes.length;
  }

  ids(): number[] {
    return this.shapes.map((s) => s.id);
  }

  indexOfId(id: number): number {
    if (!Number.isInteger(id) || id < 2 || id % 2 !== 0) return -1;
    const k = (id - 2) / 2;
    return k < this.shapes.length ? k : -1;
  }

  /** Action ids of a broadcast as served (strings, or integers: drift.ts); throws for an unknown broadcast id. */
  actionIds(id: number): (string | number)[] {
    const s = this.shapeOfId(id);
    return Array.from({ length: s.actionCount }, (_, j) => {
      const aid = broadcastActionId(s.id, j);
      return idAs(aid, !actionIdAsInteger(this.seed, aid));
    });
  }

  /** Position of an action (its id as a path segment) in broadcast #k, or −1. */
  actionIndexOfId(k: number, actionId: string): number {
    if (!/^[1-9][0-9]*$/.test(actionId)) return -1;
    const s = this.shape(k);
    const j = Number(actionId) - s.id * 100 - 1;
    return j >= 0 && j < s.actionCount ? j : -1;
  }

  actionCount(k: number): number {
    return this.shape(k).actionCount;
  }

  triggerCount(k: number): number {
    return this.shape(k).triggerCount;
  }

  twoPages(k: number): boolean {
    return this.shape(k).twoPages;
  }

  actionType(k: number, j: number): string {
    return new Draw(this.seed, Tag.broadcastAction, k * 16 + j, 1).weighted(ACTION_TYPES);
  }

  record(k: number, now: number): BroadcastRecord {
    const s = this.shape(k);
    const draw = new Draw(this.seed, Tag.broadcast, k);
    const updated = updatedAt(this.seed, Tag.broadcast, k, s.created, now, {
      staticShare: 0.3,
      minPeriod: 6 * 3600,
      maxPeriod: 30 * DAY,
    });
    const refs: ActionRef[] = [];
    for (let j = 0; j < s.actionCount; j++) refs.push({ type: this.actionType(k, j), id: broadcastActionId(s.id, j) });
    const tagCount = draw.int(3);
    return {
      id: s.id,
      deduplicate_id: `${s.id}:${updated}`,
      name: `${draw.pick(TOPICS)} broadcast ${k + 1}`,
      type: 'triggered_broadcast',
      state: s.state,
      active: s.state === 'running',
      created: s.created,
      updated,
      first_started: this.firstStarted(k),
      tags: tagCount === 0 ? null : draw.sample(TAGS, tagCount),
      actions: refs.length === 0 ? null : refs,
      msg_template_ids: refs.length === 0 ? null : templateIdsBare(this.seed, s.id) ? refs.map((r) => r.id) : refs.map((r) => ({ type: r.type, id: r.id })),
    };
  }

  actionRecord(k: number, j: number, now: number): BroadcastActionRecord {
    const s = this.shape(k);
    const key = k * 16 + j;
    const draw = new Draw(this.seed, Tag.broadcastAction, key);
    const type = this.actionType(k, j);
    const id = broadcastActionId(s.id, j);
    const created = s.created + 60 + j * 3600;
    const updated = updatedAt(this.seed, Tag.broadcastAction, key, created, now, {
      staticShare: 0.4,
      minPeriod: DAY,
      maxPeriod: 60 * DAY,
    });
    // The subject is the first draw of a broadcast action; actionRecord draws the rest.
    const subject = type === 'email' ? `${draw.pick(TOPICS)}: announcement ${j + 1}` : null;
    return actionRecord(this.seed, draw, {
      id,
      broadcastId: s.id,
      campaignId: null,
      parentActionId: j === 0 ? null : broadcastActionId(s.id, j - 1),
      type,
      created,
      updated,
      subject,
      greeting: `news ${j + 1}`,
      webhookBody: '{"broadcast":"{{trigger.name}}"}',
      webhookPath: 'broadcast',
      draftOwner: s.state === 'draft',
      position: j,
    });
  }

  /**
   * Trigger t of broadcast k. Triggers happened after the first start; one in five running
   * broadcasts has its latest trigger minutes before the initial clock and still processing, so
   * `processed_at` is null until the clock passes it.
   */
  trigger(k: number, t: number, now: number): BroadcastTriggerRecord {
    const s = this.shape(k);
    const draw = new Draw(this.seed, Tag.broadcastTrigger, k * 8 + t);
    const first = this.firstStarted(k) ?? s.created;
    const last = t === s.triggerCount - 1;
    const recent = last && new Draw(this.seed, Tag.broadcastTrigger, k, 1).chance(0.2);
    const window = Math.max(1, this.origin - DAY - first);
    const spread = first + Math.floor(((t + draw.float()) * window) / Math.max(1, s.triggerCount));
    // The legacy broadcast (#2) was first triggered within a month of its start, so its metrics
    // history begins LEGACY_AGE_DAYS back, past the longest v1 window.
    const legacyFirst = k === 2 && t === 0;
    const createdAt = recent ? this.origin - draw.range(30, 600) : legacyFirst ? first + ((spread - first) % (30 * DAY)) : spread;
    const processed = createdAt + (recent ? draw.range(900, 3600) : draw.range(1, 300));
    return {
      id: s.id * 10 + t + 1,
      broadcast_id: s.id,
      created_at: createdAt,
      processed_at: processed <= now ? processed : null,
    };
  }

  private firstStarted(k: number): number | null {
    const s = this.shape(k);
    return s.state === 'draft' ? null : s.created + new Draw(this.seed, Tag.broadcast, k, 3).range(60, 3 * DAY);
  }

  private shapeOfId(id: number): BroadcastShape {
    const k = this.indexOfId(id);
    if (k < 0) throw new RangeError(`no broadcast with id ${id}`);
    return this.shape(k);
  }

  private shape(k: number): BroadcastShape {
    const s = this.shapes[k];
    if (s === undefined) throw new RangeError(`no broadcast #${k}`);
    return s;
  }
}
