import { Draw } from '../random.js';
import { DAY, LEGACY_AGE_DAYS } from '../scale.js';
import { Entity, ScheduleTag } from '../tags.js';
import { EVENT_NAMES, TAGS, TOPICS } from './text.js';
import { latestUpdate } from './schedule.js';

export type CampaignType = 'segment' | 'event' | 'form' | 'date' | 'relationship' | 'object' | 'webhook';
export type CampaignState = 'running' | 'draft' | 'stopped';

export interface ActionRef {
  type: string;
  id: number;
}

export interface CampaignRecord {
  id: number;
  deduplicate_id: string;
  name: string;
  description: string;
  type: CampaignType;
  created: number;
  updated: number;
  active: boolean;
  state: CampaignState;
  /** null, not [], when the campaign has no actions (§4: empty lists come back null). */
  actions: ActionRef[] | null;
  first_started: number | null;
  tags: string[] | null;
  trigger_segment_ids: number[] | null;
  filter_segment_ids: number[] | null;
  msg_templates: ActionRef[] | null;
  created_by: string;
  [variantField: string]: unknown;
}

/** The few facts per campaign that other collections (actions, messages) depend on. */
export interface CampaignShape {
  index: number;
  id: number;
  created: number;
  state: CampaignState;
  type: CampaignType;
  actionCount: number;
}

const TYPES: readonly (readonly [CampaignType, number])[] = [
  ['segment', 40],
  ['event', 30],
  ['date', 10],
  ['form', 5],
  ['webhook', 5],
  ['relationship', 5],
  ['object', 5],
];

/** Campaign ids are odd numbers: 3, 5, 7, …, with the gaps deleted campaigns would leave. */
export function campaignId(k: number): number {
  return 3 + 2 * k;
}

export function campaignIndexOfId(id: number, count: number): number {
  if (!Number.isInteger(id) || id < 3 || id % 2 === 0) return -1;
  const k = (id - 3) / 2;
  return k < count ? k : -1;
}

export class Campaigns {
  readonly shapes: readonly CampaignShape[];

  constructor(
    private readonly seed: number,
    count: number,
    origin: number,
    private readonly segmentIds: readonly number[],
    private readonly actionTypeOf: (campaign: CampaignShape, j: number) => string,
  ) {
    const shapes: CampaignShape[] = [];
    const span = 3 * 365 * DAY;
    for (let k = 0; k < count; k++) {
      const draw = new Draw(seed, Entity.campaign, k, 2);
      // Edge cases first: #0 has no actions, #1 exactly one full page of 10 and the oldest
      // history (LEGACY_AGE_DAYS, past any metrics window, never a draft), #2 the maximum of 35
      // (4 pages); the rest 1..35.
      const actionCount = k === 0 ? 0 : k === 1 ? 10 : k === 2 ? 35 : draw.range(1, 35);
      const spread = origin - span + Math.floor((k * (span - 2 * DAY)) / Math.max(1, count));
      const created = (k === 1 ? origin - LEGACY_AGE_DAYS * DAY : spread) + draw.int(DAY);
      const state =
        k === 0
          ? 'draft'
          : draw.weighted([
              ['running', 6],
              ['stopped', 2],
              ['draft', 2],
            ] as const);
      shapes.push({
        index: k,
        id: campaignId(k),
        created,
        state: k === 1 && state === 'draft' ? 'running' : state,
        type: k === 0 ? 'segment' : draw.weighted(TYPES),
        actionCount,
      });
    }
    this.shapes = shapes;
  }

  get count(): number {
    return this.shapes.length;
  }

  shape(k: number): CampaignShape {
    const s = this.shapes[k];
    if (s === undefined) throw new RangeError(`no campaign #${k}`);
    return s;
  }

  record(k: number, now: number): CampaignRecord {
    const s = this.shape(k);
    const draw = new Draw(this.seed, Entity.campaign, k);
    const topic = draw.pick(TOPICS);
    const update = latestUpdate(this.seed, ScheduleTag.campaign, k, s.created, now, {
      staticShare: 0.25,
      minPeriod: 6 * 3600,
      maxPeriod: 20 * DAY,
    });
    const refs: ActionRef[] = [];
    for (let j = 0; j < s.actionCount; j++) refs.push({ type: this.actionTypeOf(s, j), id: actionId(s.id, j) });
    const tagCount = draw.int(3);
    const tags = tagCount === 0 ? null : draw.sample(TAGS, tagCount);
    const pickSegments = (n: number): number[] | null => (n === 0 || this.segmentIds.length === 0 ? null : draw.sample(this.segmentIds, n));
    const record: CampaignRecord = {
      id: s.id,
      deduplicate_id: `${s.id}:${update.at}`,
      name: `${topic} ${k + 1}`,
      description: draw.chance(0.3) ? '' : `${topic} journey`,
      type: s.type,
      created: s.created,
      updated: update.at,
      active: s.state === 'running',
      state: s.state,
      actions: refs.length === 0 ? null : refs,
      first_started: s.state === 'draft' ? null : s.created + draw.range(60, 3 * DAY),
      tags,
      trigger_segment_ids: s.type === 'segment' ? pickSegments(1) : null,
      filter_segment_ids: pickSegments(draw.int(3)),
      msg_templates: refs.length === 0 ? null : refs.map((r) => ({ type: r.type, id: r.id })),
      created_by: `${draw.pick(['ops', 'growth', 'lifecycle'])}@example.com`,
    };
    // Fields of the trigger variant only (the spec's campaign object is a oneOf of 7 variants).
    switch (s.type) {
      case 'event':
        record.event_name = draw.pick(EVENT_NAMES);
        break;
      case 'date':
        record.date_attribute = 'renewal_date';
        record.frequency = draw.pick(['once', 'yearly', 'monthly']);
        record.start_hour = draw.int(24);
        record.start_minutes = draw.pick([0, 15, 30, 45]);
        record.timezone = draw.pick(['America/New_York', 'Europe/Berlin', 'UTC']);
        record.use_customer_timezone = draw.chance(0.5);
        break;
      case 'webhook':
        record.webhook_id = draw.range(1, 50);
        break;
      case 'relationship':
      case 'object':
        record.audience = draw.pick(['people', 'objects']);
        record.object_type_id = String(draw.range(1, 3));
        record.filter_object_attributes = null;
        record.filter_relationship_attributes = null;
        break;
      default:
        break;
    }
    return record;
  }
}

/** Action ids are unique across campaigns: campaign id × 100 + position + 1 (≤ 35 actions each). */
export function actionId(campaignIdValue: number, j: number): number {
  return campaignIdValue * 100 + j + 1;
}

/** Position of an action inside its campaign, or −1. */
export function actionIndexOfId(campaign: CampaignShape, id: number): number {
  const j = id - campaign.id * 100 - 1;
  return j >= 0 && j < campaign.actionCount ? j : -1;
}
