import { Draw } from '../random.js';
import { DAY, MESSAGE_HISTORY_DAYS, messagesAtOrigin } from '../scale.js';
import { Entity } from '../tags.js';
import { Actions } from './actions.js';
import { actionId, type CampaignShape } from './campaigns.js';
import { deliveryId, deliveryIndex } from './ids.js';
import { Newsletters } from './newsletters.js';
import { People } from './people.js';
import { Timeline } from './timeline.js';

export interface MessageRecord {
  id: string;
  deduplicate_id: string;
  msg_template_id: number | null;
  action_id: number | null;
  parent_action_id: null;
  customer_id: string | null;
  customer_identifiers: { id: string | null; email: string | null; cio_id: string };
  recipient: string | null;
  subject: string | null;
  /** metric name → unix time reached; only metrics reached by the current clock appear. */
  metrics: Record<string, number>;
  created: number;
  failure_message: string | null;
  newsletter_id: number | null;
  content_id: number | null;
  campaign_id: number | null;
  broadcast_id: null;
  trigger_event_id: string | null;
  transactional_message_id: number | null;
  type: string;
  forgotten: boolean;
}

/** Metric events scheduled for one delivery: name and the unix time it is reached. */
type ScheduledEvents = [name: string, at: number][];

/**
 * Deliveries: an append-only timeline at `perYear` a year, reaching MESSAGE_HISTORY_DAYS (18
 * months) behind the initial clock and going on at the same rate. Metrics are scheduled at
 * creation and revealed as the clock passes them, so re-reading a window after advance() shows
 * the same messages with more metrics.
 */
export class Messages {
  readonly timeline: Timeline;
  private readonly senders: readonly CampaignShape[];

  constructor(
    private readonly seed: number,
    perYear: number,
    origin: number,
    private readonly people: People,
    campaigns: readonly CampaignShape[],
    private readonly actions: Actions,
    private readonly newsletters: Newsletters,
    private readonly transactionalCount: number,
  ) {
    this.timeline = new Timeline(seed, Entity.message, origin, MESSAGE_HISTORY_DAYS * DAY, messagesAtOrigin(perYear));
    this.senders = campaigns.filter((c) => c.actionCount > 0 && c.state !== 'draft');
  }

  created(k: number): number {
    return this.timeline.at(k);
  }

  id(k: number): string {
    return deliveryId(this.seed, Entity.message, k);
  }

  /** −1 for ids that are not deliveries of this workspace (existence at `now` not checked). */
  indexOfId(id: string): number {
    return deliveryIndex(this.seed, Entity.message, id);
  }

  /** The recipient's people index; drawn first so activities can reuse it cheaply. */
  personIndex(k: number): number {
    return new Draw(this.seed, Entity.message, k).int(this.people.count);
  }

  record(k: number, now: number): MessageRecord {
    const draw = new Draw(this.seed, Entity.message, k);
    const p = draw.int(this.people.count);
    const who = this.people.identity(p);
    const created = this.timeline.at(k);
    const id = this.id(k);

    let type = 'email';
    let subject: string | null = null;
    let campaignId: number | null = null;
    let actionIdValue: number | null = null;
    let newsletterId: number | null = null;
    let contentId: number | null = null;
    let transactionalId: number | null = null;
    // Every source sets it below.
    let templateId: number | null;
    let triggerEventId: string | null = null;
    const source = draw.weighted([
      ['campaign', 70],
      ['newsletter', 22],
      ['transactional', 8],
    ] as const);
    const campaign = source === 'campaign' && this.senders.length > 0 ? draw.pick(this.senders) : undefined;
    if (campaign !== undefined) {
      const j = draw.int(campaign.actionCount);
      type = this.actions.type(campaign, j);
      if (type === 'email') subject = this.actions.subject(campaign, j);
      campaignId = campaign.id;
      actionIdValue = actionId(campaign.id, j);
      templateId = actionIdValue;
      if (campaign.type === 'event') triggerEventId = draw.hex(26).toUpperCase();
    } else if (source === 'transactional' || this.newsletters.count === 0) {
      // Ids 1..3 (or fewer, in a workspace with fewer templates); none in one without any.
      const id = draw.range(1, Math.min(3, this.transactionalCount));
      transactionalId = this.transactionalCount > 0 ? id : null;
      subject = draw.pick(['Your receipt', 'Reset your password', 'Confirm your email']);
      templateId = transactionalId === null ? null : 500 + transactionalId;
    } else {
      const n = draw.int(this.newsletters.count);
      type = this.newsletters.type(n);
      newsletterId = this.newsletters.idOf(n);
      contentId = draw.pick(this.newsletters.contentIdsAt(n));
      templateId = contentId;
      if (type === 'email') subject = `Newsletter #${n + 1}`;
    }

    const recipient = recipientFor(type, who.email, who.cio_id, p, draw);
    const events: ScheduledEvents = [];
    let failure: [string, number] | null = null;
    const sent = created + draw.range(1, 5);
    // Every branch consumes draws in a fixed order independent of `now`: the clock only decides
    // which of the scheduled events are already visible.
    if (type === 'email' && who.email === null) {
      failure = ['Missing email address for this person', created + 1];
    } else if (type === 'webhook') {
      if (draw.chance(0.03)) failure = ['HTTP 500 from the webhook endpoint', sent];
      else events.push(['sent', sent]);
    } else {
      events.push(['sent', sent]);
      const r = draw.float();
      if (type === 'email' && r < 0.04) {
        events.push(['bounced', sent + draw.range(5, 300)]);
      } else if (r < 0.95) {
        const delivered = sent + draw.range(1, 60);
        if (type !== 'in_app') events.push(['delivered', delivered]);
        const openShare = type === 'email' ? 0.4 : type === 'in_app' ? 0.3 : type === 'push' ? 0.2 : 0;
        if (draw.chance(openShare)) {
          const opened = delivered + draw.range(600, 3 * DAY);
          events.push(['opened', opened]);
          if (type === 'email' && draw.chance(0.8)) events.push(['human_opened', opened]);
          if (draw.chance(0.35)) {
            const clicked = opened + draw.range(30, 6 * 3600);
            events.push(['clicked', clicked]);
            if (draw.chance(0.2)) events.push(['converted', clicked + draw.range(60, 2 * DAY)]);
          }
        } else if (type === 'twilio' && draw.chance(0.05)) {
          events.push(['clicked', delivered + draw.range(60, 6 * 3600)]);
        }
        if (type === 'email' && draw.chance(0.01)) events.push(['unsubscribed', delivered + draw.range(60, 5 * DAY)]);
        if (type === 'email' && draw.chance(0.002)) events.push(['spammed', delivered + draw.range(60, DAY)]);
      } else if (type === 'twilio') {
        events.push(['undeliverable', sent + draw.range(1, 120)]);
      }
    }
    if (failure !== null) events.push(['failed', failure[1]]);
    events.sort((a, b) => a[1] - b[1]);
    const metrics: Record<string, number> = {};
    let last = created;
    for (const [name, at] of events) {
      if (at > now) break;
      metrics[name] = at;
      last = at;
    }
    const failed = failure !== null && failure[1] <= now;

    return {
      id,
      deduplicate_id: `${id}:${last}`,
      msg_template_id: templateId,
      action_id: actionIdValue,
      parent_action_id: null,
      customer_id: who.id,
      customer_identifiers: { id: who.id, email: who.email, cio_id: who.cio_id },
      recipient,
      subject,
      metrics,
      created,
      failure_message: failed && failure !== null ? failure[0] : null,
      newsletter_id: newsletterId,
      content_id: contentId,
      campaign_id: campaignId,
      broadcast_id: null,
      trigger_event_id: triggerEventId,
      transactional_message_id: transactionalId,
      type,
      forgotten: false,
    };
  }
}

function recipientFor(type: string, email: string | null, cioId: string, p: number, draw: Draw): string | null {
  switch (type) {
    case 'email':
      return email;
    case 'twilio':
      return `+1555${String(p).padStart(7, '0')}`;
    case 'push':
      return draw.hex(32);
    case 'webhook':
      return 'https://hooks.example.com/cio';
    default:
      return cioId;
  }
}
