import { Draw } from '../random.js';
import { DAY } from '../scale.js';
import { Entity, ScheduleTag } from '../tags.js';
import { TOPICS } from './text.js';
import { latestUpdate } from './schedule.js';
import { actionId, type CampaignShape } from './campaigns.js';
import { actionIdAsInteger, actionSendersAsStrings, idAs, senderRef } from './drift.js';

export interface ActionRecord {
  /**
   * A string as live serves it, or an integer as the spec declares, side by side (type drift,
   * customerio-api.md §7.4; drift.ts actionIdAsInteger decides).
   */
  id: string | number;
  broadcast_id: null;
  campaign_id: number;
  parent_action_id: number | null;
  deduplicate_id: string;
  name: string;
  layout: string | null;
  created: number;
  updated: number;
  body: string | null;
  body_amp: string | null;
  body_plain: string | null;
  type: string;
  sending_state: string;
  language: string;
  from: string | null;
  /** Integers (spec) or numeric strings (S3, live): drift.ts actionSendersAsStrings. */
  from_id: number | string | null;
  reply_to: string | null;
  reply_to_id: number | string | null;
  preprocessor: string | null;
  recipient: string | null;
  subject: string | null;
  cc: string | null;
  bcc: string | null;
  fake_bcc: boolean | null;
  preheader_text: string | null;
  /** A JSON-encoded string, not an object. */
  headers: string | null;
  url: string | null;
  request_method: string | null;
  tracked: boolean;
  editor: string | null;
}

/** What differs between a campaign action and a broadcast action; `actionRecord` builds the rest. */
export interface ActionSpec<B extends number | null, C extends number | null> {
  /** The numeric action id; served as drift.ts decides. */
  id: number;
  broadcastId: B;
  campaignId: C;
  parentActionId: number | null;
  type: string;
  created: number;
  updated: number;
  /** Null unless the action is an email. */
  subject: string | null;
  /** The words after "Hello {{customer.first_name}}, " in the body: 'step 3', 'news 3'. */
  greeting: string;
  /** The body of a webhook action. */
  webhookBody: string;
  /** The path segment of a webhook action's URL, before the action id. */
  webhookPath: string;
  /** A draft owner's actions are all drafts. */
  draftOwner: boolean;
  /** Position in the owner (0-based): the name's number. */
  position: number;
}

const CHANNEL_NAMES: Record<string, string> = { in_app: 'In-app' };
const RECIPIENTS: Record<string, string> = {
  email: '{{customer.email}}',
  twilio: '{{customer.phone}}',
  sms: '{{customer.phone}}',
  slack: '#announcements',
};

/**
 * One action record, campaign or broadcast: the same keys in the same order, with the same drift
 * (drift.ts: string or integer id, sender ids as strings or integers). `draw` gives, in this
 * order, the sender of an email, the sending state of an action whose owner is not a draft, and
 * the editor of an email.
 */
export function actionRecord<B extends number | null, C extends number | null>(
  seed: number,
  draw: Draw,
  a: ActionSpec<B, C>,
): Omit<ActionRecord, 'broadcast_id' | 'campaign_id'> & { broadcast_id: B; campaign_id: C } {
  const { id, type, subject } = a;
  const email = type === 'email';
  const webhook = type === 'webhook';
  const senderId = email ? draw.range(1, 5) : null;
  const senderStrings = actionSendersAsStrings(seed, id);
  return {
    id: idAs(id, !actionIdAsInteger(seed, id)),
    broadcast_id: a.broadcastId,
    campaign_id: a.campaignId,
    parent_action_id: a.parentActionId,
    deduplicate_id: `${id}:${a.updated}`,
    name: `${CHANNEL_NAMES[type] ?? type.charAt(0).toUpperCase() + type.slice(1)} ${a.position + 1}`,
    layout: email ? '<html><body>{{ content }}</body></html>' : null,
    created: a.created,
    updated: a.updated,
    body: webhook ? a.webhookBody : `<p>Hello {{customer.first_name}}, ${a.greeting}.</p>`,
    body_amp: null,
    body_plain: email ? `Hello {{customer.first_name}}, ${a.greeting}.` : null,
    type,
    sending_state: a.draftOwner
      ? 'draft'
      : draw.weighted([
          ['automatic', 8],
          ['draft', 1],
          ['off', 1],
        ] as const),
    language: '',
    from: email ? `Team ${senderId} <team${senderId}@example.com>` : null,
    from_id: senderRef(senderId, senderStrings),
    reply_to: email ? 'support@example.com' : null,
    reply_to_id: senderRef(email ? 1 : null, senderStrings),
    preprocessor: email ? 'premailer' : null,
    recipient: RECIPIENTS[type] ?? null,
    subject,
    cc: null,
    bcc: null,
    fake_bcc: email ? false : null,
    preheader_text: email ? `${subject ?? ''} (preview)` : null,
    headers: email ? '[]' : webhook ? '[{"name":"Content-Type","value":"application/json"}]' : null,
    url: webhook ? `https://hooks.example.com/${a.webhookPath}/${id}` : null,
    request_method: webhook ? 'POST' : null,
    tracked: email || type === 'in_app',
    editor: email ? draw.pick(['html', 'visual', 'rich_text']) : null,
  };
}

const ACTION_TYPES: readonly (readonly [string, number])[] = [
  ['email', 6],
  ['webhook', 1],
  ['twilio', 1],
  ['push', 1],
  ['in_app', 1],
];

export class Actions {
  constructor(private readonly seed: number) {}

  /** A stable per-action key for the random streams (≤ 64 actions per campaign). */
  private key(campaign: CampaignShape, j: number): number {
    return campaign.index * 64 + j;
  }

  type(campaign: CampaignShape, j: number): string {
    return new Draw(this.seed, Entity.action, this.key(campaign, j), 1).weighted(ACTION_TYPES);
  }

  subject(campaign: CampaignShape, j: number): string {
    const draw = new Draw(this.seed, Entity.action, this.key(campaign, j), 3);
    return `${draw.pick(TOPICS)}: step ${j + 1} for {{customer.first_name}}`;
  }

  created(campaign: CampaignShape, j: number): number {
    return campaign.created + 60 + j * 3600;
  }

  record(campaign: CampaignShape, j: number, now: number): ActionRecord {
    const key = this.key(campaign, j);
    const draw = new Draw(this.seed, Entity.action, key);
    const type = this.type(campaign, j);
    const id = actionId(campaign.id, j);
    const created = this.created(campaign, j);
    const update = latestUpdate(this.seed, ScheduleTag.action, key, created, now, {
      staticShare: 0.4,
      minPeriod: DAY,
      maxPeriod: 60 * DAY,
    });
    return actionRecord(this.seed, draw, {
      id,
      broadcastId: null,
      campaignId: campaign.id,
      parentActionId: j === 0 ? null : actionId(campaign.id, j - 1),
      type,
      created,
      updated: update.at,
      subject: type === 'email' ? this.subject(campaign, j) : null,
      greeting: `step ${j + 1}`,
      webhookBody: '{"event":"{{event.name}}"}',
      webhookPath: 'cio',
      draftOwner: campaign.state === 'draft',
      position: j,
    });
  }
}
