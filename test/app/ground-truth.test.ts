import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth, MetricEntityKind } from 'customerio-simulator';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { ciRequiresOfficialSchema, HAS_OFFICIAL_SCHEMA, officialProblems, officialSchemaTitle, pairingProblems } from '../helpers/airbyte-schema.js';
import { ofType, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';
import { strictAjv } from '../helpers/strict-ajv.js';

/**
 * Every stream, in both sync modes and both protocols, over a range wider than every window the
 * API applies (six-month message windows, 30 days of activities, v1 metrics steps), compared
 * with the simulator's ground truth: nothing missing, nothing extra, and every record valid
 * against the schema the tap declared for it, with Ajv in strict mode. The simulator serves its
 * documented live variants by default (ids as strings and integers, bare and object template ids,
 * wrapped and bare customers, null lists, empty pages with a next, a parent gone mid-sync).
 */
type Row = Record<string, any>;
type Mode = 'full_refresh' | 'incremental';
type Protocol = 'airbyte' | 'singer';

const DAY = 86_400;
/** Further back than the oldest generated delivery (18 months) and activity. */
const HISTORY_DAYS = 800;

let ws: TestWorkspace;
let startDate: number;
/** json_schema of each stream in the tap's Airbyte catalog. */
const airbyteSchemas = new Map<string, object>();
const reads = new Map<string, CliResult>();
const runKey = (protocol: Protocol, mode: Mode): string => `${protocol}/${mode}`;

beforeAll(async () => {
  ws = await testWorkspace({ scale: 'small', rateLimit: 0 });
  startDate = ws.sim.now() - HISTORY_DAYS * DAY;
  const { 'c.json': config } = writeFiles({
    'c.json': { ...ws.config, requests_per_second: 100, start_date: new Date(startDate * 1000).toISOString() },
  });
  const airbyte = await runCli(['discover', '--config', config as string]);
  const streams = ofType(airbyte.messages, 'CATALOG')[0]?.['catalog']['streams'] as Row[];
  for (const stream of streams) airbyteSchemas.set(stream['name'], stream['json_schema']);
  const singer = JSON.parse((await runCli(['--config', config as string, '--discover'])).stdout) as Row;
  for (const mode of ['full_refresh', 'incremental'] as const) {
    const airbyteCatalog = {
      streams: streams.map((stream) => {
        const incremental = mode === 'incremental' && stream['supported_sync_modes'].includes('incremental');
        return { stream, sync_mode: incremental ? 'incremental' : 'full_refresh', destination_sync_mode: 'append' };
      }),
    };
    const singerCatalog = {
      streams: singer['streams'].map((stream: Row) => ({
        ...stream,
        metadata: stream['metadata'].map((entry: Row) => {
          if (entry['breadcrumb'].length > 0) return entry;
          const incremental =
            mode === 'incremental' &&
            entry['metadata']['forced-replication-method'] !== 'FULL_TABLE' &&
            (entry['metadata']['valid-replication-keys'] ?? []).length > 0;
          return { ...entry, metadata: { ...entry['metadata'], selected: true, 'replication-method': incremental ? 'INCREMENTAL' : 'FULL_TABLE' } };
        }),
      })),
    };
    const files = writeFiles({ 'a.json': airbyteCatalog, 's.json': singerCatalog });
    reads.set(runKey('airbyte', mode), await runCli(['read', '--config', config as string, '--catalog', files['a.json'] as string], { timeoutMs: 240_000 }));
    reads.set(runKey('singer', mode), await runCli(['--config', config as string, '--catalog', files['s.json'] as string], { timeoutMs: 240_000 }));
  }
}, 900_000);

afterAll(async () => ws?.close());

/** A primary key as text, whatever JSON type each part came in. */
const keyOf = (parts: unknown[]): string => parts.map((p) => String(p)).join('|');

/** The keys the API holds now for every stream that is not a metrics stream, from the simulator's own generators. */
function expectedKeys(truth: GroundTruth, stream: string, mode: Mode, syncStartedAt: number): string[] | undefined {
  const campaigns = truth.campaigns() as Row[];
  const newsletters = truth.newsletters() as Row[];
  const broadcasts = truth.broadcasts() as Row[];
  const segments = truth.segments() as Row[];
  const now = truth.now();
  switch (stream) {
    case 'campaigns':
      return campaigns.map((c) => keyOf([c['id']]));
    case 'campaigns_actions':
      return campaigns.flatMap((c) => truth.campaignActions(c['id']).map((a: Row) => keyOf([a['id']])));
    case 'newsletters':
      return newsletters.map((n) => keyOf([n['id']]));
    case 'newsletter_variants':
      return newsletters.flatMap((n) => truth.newsletterContents(n['id']).map((v: Row) => keyOf([n['id'], v['id']])));
    case 'newsletter_test_groups':
      return newsletters.flatMap((n) => truth.newsletterTestGroups(n['id']).map((g: Row) => keyOf([n['id'], g['id']])));
    case 'broadcasts':
      return broadcasts.map((b) => keyOf([b['id']]));
    case 'broadcast_actions':
      return broadcasts.flatMap((b) => truth.broadcastActions(b['id']).map((a: Row) => keyOf([b['id'], a['id']])));
    case 'broadcast_triggers':
      return broadcasts.flatMap((b) => truth.broadcastTriggers(b['id']).map((t: Row) => keyOf([b['id'], t['id']])));
    case 'transactional_messages':
      return (truth.transactional() as Row[]).map((t) => keyOf([t['id']]));
    case 'segments':
      return segments.map((s) => keyOf([s['id']]));
    case 'segment_usage':
      // The segment deleted between the list and this request answers 404: it has no row.
      return segments.filter((s) => truth.segmentUsage(s['id']) !== undefined).map((s) => keyOf([s['id']]));
    case 'segment_memberships':
      return segments.flatMap((s) => truth.segmentMemberCioIds(s['id']).map((cio: string) => keyOf([s['id'], cio])));
    case 'messages':
      // Both modes read every window from start_date: a request without bounds would get six months.
      return truth.messageIds(startDate, now).map((id: string) => keyOf([id]));
    case 'activities': {
      const served = truth.activities() as Row[];
      // Incremental keeps what is dated inside [start_date, sync start): future-dated ones wait for their time.
      const kept = mode === 'incremental' ? served.filter((a) => a['timestamp'] >= startDate && a['timestamp'] < syncStartedAt) : served;
      return kept.map((a) => keyOf([a['id']]));
    }
    case 'people':
      // Both modes: an incremental sync without a bookmark is the change feed's full read, everyone.
      return [...truth.peopleCioIds()].map((id) => keyOf([id]));
    case 'object_types':
      return (truth.objectTypes() as Row[]).map((t) => keyOf([t['id']]));
    case 'objects':
      return (truth.objectTypes() as Row[]).flatMap((t) => truth.objects(t['id']).map((o: Row) => keyOf([t['id'], o['identifiers']['object_id']])));
    case 'object_relationships':
      return (truth.objectTypes() as Row[]).flatMap((t) =>
        [...(truth.relationships.all(t['id']) as Map<string, Row[]>)].flatMap(([objectId, items]) =>
          items.map((item) => keyOf([t['id'], objectId, item['identifiers']['cio_id']])),
        ),
      );
    case 'sender_identities':
      return (truth.senderIdentities() as Row[]).map((s) => keyOf([s['id']]));
    case 'subscription_topics':
      return (truth.topics() as Row[]).map((t) => keyOf([t['id']]));
    case 'subscription_channels':
      return (truth.channels() as Row[]).map((c) => keyOf([c['id']]));
    case 'workspaces':
      return (truth.workspaces() as Row[]).map((w) => keyOf([w['id']]));
    case 'reporting_webhooks':
      return (truth.reportingWebhooks() as Row[]).map((w) => keyOf([w['id']]));
    case 'snippets':
      return (truth.snippets() as Row[]).map((s) => keyOf([s['name']]));
    case 'collections':
      return (truth.collections() as Row[]).map((c) => keyOf([c['id']]));
    case 'exports':
      return (truth.exports() as Row[]).map((e) => keyOf([e['id']]));
    case 'esp_suppressions':
      return (['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const).flatMap((type) =>
        truth.suppressions(type).map((s: Row) => keyOf([type, s['email']])),
      );
    default:
      return undefined; // metrics: see metricsEntities
  }
}

/** The entities (and links) each metrics stream has a series for: every one must come with all its buckets. */
function metricsEntities(truth: GroundTruth, stream: string): string[] {
  const campaigns = (truth.campaigns() as Row[]).map((c) => c['id'] as number);
  const actions = campaigns.flatMap((c) => truth.campaignActions(c).map((a: Row) => [c, Number(a['id'])]));
  const newsletters = (truth.newsletters() as Row[]).map((n) => n['id'] as number);
  const broadcasts = (truth.broadcasts() as Row[]).map((b) => b['id'] as number);
  const broadcastActions = broadcasts.flatMap((b) => truth.broadcastActions(b).map((a: Row) => [b, Number(a['id'])]));
  const transactional = (truth.transactional() as Row[]).map((t) => t['id'] as number);
  const gone = truth.deletedParents() as Record<string, number[]>;
  // A parent deleted mid-sync answers 404 under it: no metrics come for it.
  const live = (parent: string, ids: number[]): boolean => !(gone[`${parent}s`] ?? []).includes(ids[0] as number);
  // An entity the API answers an empty series for (a draft, a campaign without actions) has no rows.
  const withSeries = (kind: MetricEntityKind, parent: string, all: number[][]): string[] =>
    all.filter((ids) => live(parent, ids) && truth.metricSeriesNames(kind, ids).length > 0).map((ids) => keyOf(ids));
  const links = (kind: 'campaign' | 'newsletter' | 'transactional', parent: string, ids: number[]): string[] =>
    ids.filter((id) => live(parent, [id])).flatMap((id) => truth.metricLinks(kind, [id]).map((link: Row) => keyOf([id, link['id']])));
  switch (stream) {
    case 'campaign_metrics':
      return withSeries(
        'campaign',
        'campaign',
        campaigns.map((c) => [c]),
      );
    case 'campaign_journey_metrics':
      return withSeries(
        'journey',
        'campaign',
        campaigns.map((c) => [c]),
      );
    case 'campaign_action_metrics':
      return withSeries('campaign_action', 'campaign', actions);
    case 'campaign_link_metrics':
      return links('campaign', 'campaign', campaigns);
    case 'newsletter_metrics':
      return withSeries(
        'newsletter',
        'newsletter',
        newsletters.map((n) => [n]),
      );
    case 'newsletter_link_metrics':
      return links('newsletter', 'newsletter', newsletters);
    case 'broadcast_metrics':
      return withSeries(
        'broadcast',
        'broadcast',
        broadcasts.map((b) => [b]),
      );
    case 'broadcast_action_metrics':
      return withSeries('broadcast_action', 'broadcast', broadcastActions);
    case 'transactional_metrics':
      return withSeries(
        'transactional',
        'transactional',
        transactional.map((t) => [t]),
      );
    case 'transactional_link_metrics':
      return links('transactional', 'transactional', transactional);
    default:
      throw new Error(`no truth for ${stream}`);
  }
}

const outputs = new WeakMap<CliResult, { records: Map<string, Row[]>; schemas: Map<string, object> }>();

/** Records per stream, and the schema each stream declared, from either protocol's output. */
function outputOf(result: CliResult, protocol: Protocol): { records: Map<string, Row[]>; schemas: Map<string, object> } {
  const known = outputs.get(result);
  if (known) return known;
  const records = new Map<string, Row[]>();
  const schemas = new Map<string, object>();
  for (const message of result.messages) {
    if (protocol === 'singer' && message['type'] === 'SCHEMA') schemas.set(message['stream'], message['schema']);
    if (message['type'] !== 'RECORD') continue;
    const [stream, data] = protocol === 'airbyte' ? [message['record']['stream'], message['record']['data']] : [message['stream'], message['record']];
    const list = records.get(stream);
    if (list) list.push(data);
    else records.set(stream, [data]);
  }
  outputs.set(result, { records, schemas });
  return { records, schemas };
}

describe.each([
  ['airbyte', 'full_refresh'],
  ['airbyte', 'incremental'],
  ['singer', 'full_refresh'],
  ['singer', 'incremental'],
] as const)('%s %s read of every stream', (protocol, mode) => {
  const result = (): CliResult => reads.get(runKey(protocol, mode)) as CliResult;

  it('completes, every Airbyte message fits the protocol, and no value had to be nulled', () => {
    expect(result().code, result().stderr.slice(-2000)).toBe(0);
    // Every documented variant converts losslessly: nothing is reported as nulled.
    expect(
      result()
        .messages.filter((m) => m['type'] === 'RECORD' && m['record']?.['meta'])
        .slice(0, 3),
    ).toEqual([]);
    expect(result().stderr + JSON.stringify(ofType(result().messages, 'LOG'))).not.toMatch(/fit no type/);
    if (protocol === 'airbyte') {
      for (const message of result().messages) expect(pairingProblems(message), JSON.stringify(message).slice(0, 300)).toEqual([]);
    }
  });

  if (protocol === 'airbyte') {
    it.skipIf(!HAS_OFFICIAL_SCHEMA)(officialSchemaTitle('every message fits the official Airbyte protocol schema'), () => {
      expect(result().code, result().stderr.slice(-2000)).toBe(0);
      for (const message of result().messages) expect(officialProblems(message), JSON.stringify(message).slice(0, 300)).toEqual([]);
    });
  }

  it.each(ALL_STREAMS.map((def) => [def.name, def] as const))('%s: every record fits its declared schema, and no key is repeated', (name, def) => {
    const { records, schemas } = outputOf(result(), protocol);
    const schema = protocol === 'singer' ? schemas.get(name) : airbyteSchemas.get(name);
    expect(schema, name).toBeDefined();
    const validate = strictAjv().compile(schema as object);
    const rows = records.get(name) ?? [];
    expect(rows.length, `${name} has records`).toBeGreaterThan(0);
    const keys = new Set<string>();
    for (const row of rows) {
      expect(validate(row), `${name}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(row).slice(0, 300)}`).toBe(true);
      keys.add(keyOf(def.primaryKey.map(([field]) => row[field as string])));
    }
    expect(keys.size, `${name}: repeated keys`).toBe(rows.length);
  });

  it.each(ALL_STREAMS.filter((def) => def.cursor?.mode !== 'metrics').map((def) => [def.name, def] as const))(
    '%s: exactly the records the API holds over the whole range',
    (name, def) => {
      const rows = outputOf(result(), protocol).records.get(name) ?? [];
      const got = rows.map((row) => keyOf(def.primaryKey.map(([field]) => row[field as string]))).sort();
      // The simulator's clock stands still an hour behind the real one, so any moment after the
      // reads began separates what they may keep from the future-dated activities.
      const expected = expectedKeys(ws.sim.truth, name, def.cursor ? mode : 'full_refresh', Math.floor(Date.now() / 1000)) ?? [];
      expect(new Set(expected).size, `${name}: the truth has duplicates`).toBe(expected.length);
      const gotSet = new Set(got);
      const expectedSet = new Set(expected);
      const missing = expected.filter((k) => !gotSet.has(k));
      const extra = got.filter((k) => !expectedSet.has(k));
      expect({ missing: missing.slice(0, 5), extra: extra.slice(0, 5), counts: [got.length, expected.length] }, name).toEqual({
        missing: [],
        extra: [],
        counts: [expected.length, expected.length],
      });
    },
  );

  it.each(ALL_STREAMS.filter((def) => def.cursor?.mode === 'metrics').map((def) => [def.name, def] as const))(
    '%s: a series for every entity the API has, each with the same buckets',
    (name, def) => {
      const rows = outputOf(result(), protocol).records.get(name) ?? [];
      const entityKey = def.primaryKey.map(([field]) => field as string).filter((field) => field !== 'resolution' && field !== 'period_start');
      const buckets = new Map<string, string[]>();
      for (const row of rows) {
        const entity = keyOf(entityKey.map((field) => row[field]));
        const starts = buckets.get(entity);
        if (starts) starts.push(row['period_start']);
        else buckets.set(entity, [row['period_start']]);
      }
      const expected = metricsEntities(ws.sim.truth, name);
      const withSeries = [...buckets.keys()];
      // An entity without tracked links has no link rows; every other one must be there.
      expect(
        withSeries.filter((k) => !expected.includes(k)),
        `${name}: extra entities`,
      ).toEqual([]);
      if (!name.endsWith('_link_metrics')) expect(withSeries.sort(), `${name}: entities`).toEqual([...expected].sort());
      const shapes = new Set([...buckets.values()].map((starts) => JSON.stringify([...starts].sort())));
      expect(shapes.size, `${name}: entities with different buckets`).toBe(1);
    },
  );
});

ciRequiresOfficialSchema();
