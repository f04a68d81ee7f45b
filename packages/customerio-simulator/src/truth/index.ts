import type { ExportJobs } from '../data/export-jobs.js';
import type { World } from '../data/world.js';
import { activityTruth, type ActivityTruth } from './activities.js';
import { broadcastTruth, type BroadcastTruth } from './broadcasts.js';
import { campaignTruth, type CampaignTruth } from './campaigns.js';
import type { TruthContext } from './context.js';
import { deletionTruth, type DeletionTruth } from './deletions.js';
import { exportTruth, type ExportTruth } from './exports.js';
import { messageTruth, type MessageTruth } from './messages.js';
import { metricsTruth, type MetricsTruth } from './metrics.js';
import { newsletterTruth, type NewsletterTruth } from './newsletters.js';
import { objectTruth, type ObjectTruth } from './objects.js';
import { peopleTruth, type PeopleTruth } from './people.js';
import { segmentTruth, type SegmentTruth } from './segments.js';
import { suppressionTruth, type SuppressionTruth } from './suppressions.js';
import { transactionalTruth, type TransactionalTruth } from './transactional.js';
import { workspaceConfigTruth, type WorkspaceConfigTruth } from './workspace-config.js';
import { workspaceTruth, type WorkspaceTruth } from './workspaces.js';

export type { WorkspaceCounts } from './workspaces.js';

/**
 * What the API would serve right now (at the simulator's current clock), computed from the same
 * generators as the HTTP routes, so tests compare a client's output against it without parsing
 * HTTP. Every record is the object as served (same keys, same order, same JSON types). One file
 * per endpoint family, like routes/ and data/; each method says what it answers.
 *
 * Served as the API serves them, so also in the truth (see data/drift.ts for each rule):
 * - Type drift side by side (§7.4): action `id` a string or an integer; `from_id`/`reply_to_id`
 *   of actions and newsletter variants integers or numeric strings; broadcast `msg_template_ids`
 *   `[{type, id}]` or bare integers; workspace `id` an integer or a numeric string.
 * - Wrapped and bare customers (§7.12): `customer(cioId)` is `{customer: {...}}` or bare.
 * - Deleted parents (§7.14): `deletedParents()` names one campaign, segment, newsletter and
 *   broadcast (ids; a list is empty when the collection is too small) that the lists still show
 *   but whose every own endpoint answers 404. Their children are therefore not served, and the
 *   truth says so: `campaignActions`, `segmentMembers`, `newsletterContents`,
 *   `newsletterTestGroups`, `broadcastActions`, `broadcastTriggers` return `[]`, `segmentUsage`
 *   returns undefined, their metrics have no series and zero counts, and a segment filter on the
 *   deleted segment matches nobody. `campaigns()`, `segments()`, `newsletters()`, `broadcasts()`
 *   and `campaign(id)` still include them (what the lists serve).
 * - Entities deleted between syncs (Simulator.deleteEntities, data/deletions.ts): every list
 *   here answers what the API serves after the delete. A deleted entity is in no list
 *   (`campaigns()`, `campaignActions(id)`, `newsletters()`, `newsletterContents(id)`,
 *   `broadcasts()`, `broadcastActions(id)`, `transactional()`, `segments()`, `snippets()`,
 *   `collections()`, the `used_by` lists of `segmentUsage`, `counts()`); `campaign(id)` is
 *   undefined for it; asked for its children (actions, contents, test groups, triggers, members)
 *   the truth answers `[]` and `segmentUsage` undefined, like for a deleted parent, and its
 *   metrics have no series. Everything else keeps its bytes: a parent keeps its `updated`, its
 *   refs (`actions`, `content_ids`, `msg_template_ids`) and its metrics when a child goes.
 *   `deletedEntities()` names every entity deleted so far, the children a parent took with it
 *   included (a campaign's actions, a newsletter's variants, a broadcast's actions), each as
 *   `{kind, id, parent?}` with the id as the API served it (action ids strings or integers,
 *   snippets by `name`), parents before their children, in the order deleted.
 * - History longer than the API's windows: messages reach 18 months back (§5.2 allows 6 per
 *   request), activities are served from `activityCutoff()`, at least 30 days back plus a
 *   seed-dependent tail of up to 3 days (§5.3: 30 days guaranteed), and the oldest campaign,
 *   newsletter, broadcast and transactional message are 11 years old (past 121 v1 months).
 */
export type GroundTruth = WorkspaceTruth &
  CampaignTruth &
  NewsletterTruth &
  BroadcastTruth &
  TransactionalTruth &
  SegmentTruth &
  PeopleTruth &
  MessageTruth &
  ActivityTruth &
  ExportTruth &
  ObjectTruth &
  WorkspaceConfigTruth &
  SuppressionTruth &
  DeletionTruth &
  MetricsTruth;

/** The truth of one simulator: its world, the export jobs it ran, read at the world's clock. */
export function groundTruth(world: World, exportJobs?: ExportJobs): GroundTruth {
  const context: TruthContext = { world, exportJobs, now: () => world.now() };
  return {
    ...workspaceTruth(context),
    ...campaignTruth(context),
    ...newsletterTruth(context),
    ...broadcastTruth(context),
    ...transactionalTruth(context),
    ...segmentTruth(context),
    ...peopleTruth(context),
    ...messageTruth(context),
    ...activityTruth(context),
    ...exportTruth(context),
    ...objectTruth(context),
    ...workspaceConfigTruth(context),
    ...suppressionTruth(context),
    ...deletionTruth(context),
    ...metricsTruth(context),
  };
}
