import { Draw } from '../random.js';
import { Tag } from '../tags.js';

/** A GET /v1/reporting_webhooks item (§5.10). */
export interface ReportingWebhookRecord {
  id: number;
  name: string;
  type: 'webhook' | 'js';
  endpoint: string;
  events: string[];
  disabled: boolean;
  full_resolution: boolean;
  with_content: boolean;
}

const EVENTS = [
  'customer_subscribed',
  'customer_unsubscribed',
  'email_attempted',
  'email_sent',
  'email_delivered',
  'email_opened',
  'email_clicked',
  'email_converted',
  'email_bounced',
  'email_spammed',
  'email_dropped',
  'email_failed',
  'push_sent',
  'push_opened',
  'sms_sent',
  'sms_delivered',
  'webhook_sent',
  'slack_sent',
] as const;

export class ReportingWebhooks {
  constructor(
    private readonly seed: number,
    readonly count: number,
  ) {}

  /**
   * Users paste endpoints with secrets in them, and the API serves them back verbatim: every
   * third carries basic-auth user info and a token in the query (#0 always), every third from #2
   * only the token. The tap must strip both before emitting the record.
   */
  endpoint(k: number): string {
    const id = k + 1;
    if (k % 3 === 0) return `https://user:secret${id}@hooks.example.com/cio/${id}?token=abc${id}`;
    if (k % 3 === 2) return `https://hooks.example.com/cio/${id}?format=json&token=tok${id}`;
    return `https://hooks.example.com/cio/${id}`;
  }

  record(k: number): ReportingWebhookRecord {
    const draw = new Draw(this.seed, Tag.reportingWebhook, k);
    const js = draw.chance(0.15);
    return {
      id: k + 1,
      name: `${js ? 'Browser' : 'Warehouse'} feed ${k + 1}`,
      type: js ? 'js' : 'webhook',
      endpoint: this.endpoint(k),
      events: draw.sample(EVENTS, draw.range(2, 8)),
      disabled: draw.chance(0.2),
      full_resolution: draw.chance(0.5),
      with_content: draw.chance(0.3),
    };
  }
}
