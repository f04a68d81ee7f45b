/**
 * Every random-stream tag of the simulator, in one place so two can never clash
 * (test/tags.test.ts checks that they are distinct).
 *
 * random.ts's `hash32(seed, entity, index, salt)` and `Draw(seed, entity, index, lane)` give an
 * independent stream per `entity`; inside one entity, salts or lanes keep the aspects of one
 * record apart. The first three lists below are entity tags and share one space: no value may
 * appear twice among them. The lists after them are the salts or lanes of one entity tag each,
 * distinct within their list.
 *
 * The values are part of every answer the simulator gives: changing one changes the workspace a
 * seed describes. Add new tags; never renumber.
 */

/** Entity tags of the core collections and of the API quirks. */
export const Entity = {
  campaign: 1,
  action: 2,
  newsletter: 3,
  segment: 4,
  person: 5,
  message: 6,
  activity: 7,
  futureActivity: 8,
  emptyPage: 9,
  workspace: 10,
  schedule: 11,
  /** Which records are served in the other documented JSON type of a field (data/drift.ts). */
  drift: 12,
  /** How far past the guaranteed 30 days the activity feed still reaches (data/activities.ts). */
  retention: 13,
  /** Which listed parents were deleted before their children are read (data/deleted.ts). */
  deletedParent: 14,
  /** The changes to people a test applies between syncs (data/people-change-batch.ts). */
  peopleChange: 15,
} as const;

/**
 * Entity tags of the collections added after the core eight (broadcasts, transactional,
 * newsletter variants, workspace configuration, objects, suppressions), from 64.
 */
export const Tag = {
  broadcast: 64,
  broadcastAction: 65,
  broadcastTrigger: 66,
  transactional: 67,
  variant: 68,
  testGroup: 69,
  sender: 70,
  snippet: 71,
  collection: 72,
  reportingWebhook: 73,
  objectType: 74,
  object: 75,
  topic: 76,
  channel: 77,
  export: 78,
  suppression: 79,
  /** Where object search repeats an entry (the duplicates the docs warn about). */
  objectPage: 80,
  /** Which broadcasts answer their actions in two pages. */
  broadcastPaging: 81,
  /** The changes to objects a test applies between syncs (data/object-change-batch.ts). */
  objectChange: 82,
  /** Person–object relationships: counts, people, attributes (data/relationships.ts). */
  relationship: 83,
  /** The person-side activities of relationship changes (data/relationship-change-stage.ts). */
  relationshipChange: 84,
} as const;

/** Entity tags of the metrics model (metrics/), from 128. */
export const MetricsTag = { leaf: 128, hour: 129, link: 130, variant: 131, arrival: 132 } as const;

/**
 * Lanes of the `Entity.schedule` stream (Draw lanes are 0..15), one per collection with an edit
 * schedule (data/schedule.ts). `collection` serves every collection tagged in `Tag`: their
 * schedules stay apart because the tag goes in the high bits of the index.
 */
export const ScheduleTag = {
  campaign: 1,
  action: 2,
  newsletter: 3,
  segment: 4,
  personPlan: 5,
  collection: 15,
} as const;

/** Salts of the `Entity.drift` stream: one per field served in two JSON types (data/drift.ts). */
export const DriftField = {
  actionId: 1,
  actionSenders: 2,
  variantSenders: 3,
  templateIds: 4,
  workspaceId: 5,
  errorStatus: 6,
  customerWrap: 7,
} as const;

/** Salts of the `Entity.deletedParent` stream, one per parent kind (data/deleted.ts). */
export const DeletedParentSalt = { campaign: 1, segment: 2, newsletter: 3, broadcast: 4 } as const;

/** Salts (scopes) of the `Entity.emptyPage` stream (quirks.ts). */
export const EmptyPageScope = {
  messages: 0,
  /** membership of segment id N uses segmentBase + N */
  segmentBase: 1000,
} as const;

/** Lanes of the `MetricsTag.link` stream, one per owner of a link list; also the high part of link ids (metrics/links.ts). */
export const LinkOwner = { campaignAction: 1, newsletterVariant: 2, broadcastAction: 3, transactional: 4 } as const;

/** Salts of the `MetricsTag.leaf` stream, one per kind of entity the metrics endpoints report on (metrics/leaves.ts). */
export const LeafKindTag = {
  campaign: 1,
  campaign_action: 2,
  journey: 3,
  newsletter: 4,
  newsletter_variant: 5,
  broadcast: 6,
  broadcast_action: 7,
  transactional: 8,
} as const;
