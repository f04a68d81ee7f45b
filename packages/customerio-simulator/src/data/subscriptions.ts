import { Draw } from '../random.js';
import { Tag } from '../tags.js';
import { roundName } from './text.js';

/** A GET /v1/subscription_topics item; `identifier` is `topic_<id>` (S11 getTopics). */
export interface TopicRecord {
  id: number;
  identifier: string;
  name: string;
  description: string;
  subscribed_by_default: boolean;
}

/** A GET /v1/subscription_channels item (S11 getChannels). */
export interface ChannelRecord {
  id: number;
  name: string;
  description: string;
  subscribed_by_default: boolean;
  type: string;
}

const TOPIC_NAMES = [
  'Product updates',
  'Weekly digest',
  'Promotions',
  'Events',
  'Surveys',
  'Billing notices',
  'Security alerts',
  'Tips and tricks',
  'Partner offers',
  'Community news',
] as const;

/** The spec's channel `type` enum is truncated after in_app (§8); these are the values it shows. */
const CHANNELS: readonly (readonly [name: string, type: string, description: string])[] = [
  ['Email', 'email', 'Marketing and product email'],
  ['Push', 'push', 'Mobile push notifications'],
  ['SMS', 'twilio', 'Text messages'],
  ['In-app', 'in_app', 'Messages inside the app'],
  ['Slack', 'slack', 'Messages to Slack workspaces'],
  ['Legacy push', 'urban_airship', 'Push through the old provider'],
  ['Transactional email', 'email', 'Receipts and account email'],
  ['Web push', 'push', 'Browser notifications'],
];

export class SubscriptionTopics {
  constructor(
    private readonly seed: number,
    readonly count: number,
  ) {}

  record(k: number): TopicRecord {
    const draw = new Draw(this.seed, Tag.topic, k);
    const id = k + 1;
    const name = TOPIC_NAMES[k % TOPIC_NAMES.length] ?? 'Topic';
    return {
      id,
      identifier: `topic_${id}`,
      name: roundName(name, k, TOPIC_NAMES.length),
      description: draw.chance(0.25) ? '' : `${name} from Example Inc.`,
      subscribed_by_default: draw.chance(0.6),
    };
  }
}

export class SubscriptionChannels {
  constructor(
    private readonly seed: number,
    readonly count: number,
  ) {}

  record(k: number): ChannelRecord {
    const draw = new Draw(this.seed, Tag.channel, k);
    const [name, type, description] = CHANNELS[k % CHANNELS.length] ?? ['Channel', 'email', ''];
    return {
      id: k + 1,
      name: roundName(name, k, CHANNELS.length),
      description,
      subscribed_by_default: k === 0 || draw.chance(0.5),
      type,
    };
  }
}
