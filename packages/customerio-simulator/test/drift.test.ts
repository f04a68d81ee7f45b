import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  actionIdAsInteger,
  actionSendersAsStrings,
  customerWrapped,
  errorStatusAsNumber,
  templateIdsBare,
  variantSendersAsStrings,
  workspaceIdAsString,
  type ActionRecord,
  type BroadcastActionRecord,
  type BroadcastRecord,
  type ServedCustomer,
  type Simulator,
  type VariantRecord,
} from '../src/index.js';
import { call, list, start, walk } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(() => sim.close());

/** Every campaign action and broadcast action the API serves at small scale, read over HTTP. */
async function servedActions(s: Simulator): Promise<(ActionRecord | BroadcastActionRecord)[]> {
  const deleted = s.truth.deletedParents();
  const out: (ActionRecord | BroadcastActionRecord)[] = [];
  for (const c of s.truth.campaigns()) {
    if (!deleted.campaigns.includes(c.id)) out.push(...(await walk<ActionRecord>(s, `/v1/campaigns/${c.id}/actions`, list('actions'))).records);
  }
  for (const b of s.truth.broadcasts()) {
    if (deleted.broadcasts.includes(b.id)) continue;
    let path = `/v1/broadcasts/${b.id}/actions`;
    for (;;) {
      const page = await call<{ actions: BroadcastActionRecord[] | null; next?: string }>(s, path);
      out.push(...(page.json.actions ?? []));
      if (page.json.next === undefined || page.json.next === '') break;
      path = `/v1/broadcasts/${b.id}/actions?start=${encodeURIComponent(page.json.next)}`;
    }
  }
  return out;
}

/** Counts of each JSON type among values. */
function kinds(values: unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[typeof v] = (out[typeof v] ?? 0) + 1;
  return out;
}

describe('type drift: both documented forms side by side, by a per-record rule', () => {
  test('action id: a string (live) or an integer (spec), one action in three an integer', async () => {
    const actions = await servedActions(sim);
    const ids = actions.map((a) => a.id);
    const byType = kinds(ids);
    expect(byType.string).toBeGreaterThan(0);
    expect(byType.number).toBeGreaterThan(0);
    expect((byType.number ?? 0) / ids.length).toBeGreaterThan(0.2);
    expect((byType.number ?? 0) / ids.length).toBeLessThan(0.5);
    for (const id of ids) {
      expect(typeof id === 'number' || /^[1-9][0-9]*$/.test(id)).toBe(true);
      expect(typeof id).toBe(actionIdAsInteger(1, Number(id)) ? 'number' : 'string');
    }
    // Same rule for campaign and broadcast actions; the single lookups serve the same form.
    const campaignAction = actions.find((a) => a.campaign_id !== null && typeof a.id === 'number');
    const broadcastAction = actions.find((a) => a.broadcast_id !== null && typeof a.id === 'number');
    expect(campaignAction).toBeDefined();
    expect(broadcastAction).toBeDefined();
    const one = await call(sim, `/v1/campaigns/${campaignAction?.campaign_id}/actions/${campaignAction?.id}`);
    expect(one.json).toEqual({ action: campaignAction });
    const other = await call(sim, `/v1/broadcasts/${broadcastAction?.broadcast_id}/actions/${broadcastAction?.id}`);
    expect(other.json).toEqual({ action: broadcastAction });
  });

  test('from_id and reply_to_id of actions: integers (spec) or numeric strings (S3), one action in three strings', async () => {
    const actions = (await servedActions(sim)).filter((a) => a.from_id !== null);
    const byType = kinds(actions.map((a) => a.from_id));
    expect(byType.string).toBeGreaterThan(0);
    expect(byType.number).toBeGreaterThan(0);
    for (const a of actions) {
      const asString = actionSendersAsStrings(1, Number(a.id));
      expect(typeof a.from_id).toBe(asString ? 'string' : 'number');
      expect(typeof a.reply_to_id).toBe(asString ? 'string' : 'number');
      if (asString) expect(a.from_id).toMatch(/^[1-9][0-9]*$/);
    }
    // Actions without a sender keep null in both fields, whatever the rule says.
    const silent = (await servedActions(sim)).filter((a) => a.type !== 'email');
    expect(silent.length).toBeGreaterThan(0);
    for (const a of silent) expect([a.from_id, a.reply_to_id]).toEqual([null, null]);
  });

  test('from_id and reply_to_id of newsletter variants: integers or numeric strings, by content id', async () => {
    const deleted = sim.truth.deletedParents().newsletters;
    const variants: VariantRecord[] = [];
    for (const n of sim.truth.newsletters()) {
      if (!deleted.includes(n.id)) variants.push(...(await call<{ contents: VariantRecord[] }>(sim, `/v1/newsletters/${n.id}/contents`)).json.contents);
    }
    const withSender = variants.filter((v) => v.from_id !== null);
    const byType = kinds(withSender.map((v) => v.from_id));
    expect(byType.string).toBeGreaterThan(0);
    expect(byType.number).toBeGreaterThan(0);
    for (const v of withSender) {
      const asString = variantSendersAsStrings(1, v.id);
      expect(typeof v.from_id).toBe(asString ? 'string' : 'number');
      expect(typeof v.reply_to_id).toBe(asString ? 'string' : 'number');
    }
    expect(variants).toEqual(
      sim.truth
        .newsletters()
        .filter((n) => !deleted.includes(n.id))
        .flatMap((n) => sim.truth.newsletterContents(n.id)),
    );
  });

  test('broadcast msg_template_ids: [{type, id}] refs or bare integer ids, the same ids as actions', async () => {
    const check = (seed: number, broadcasts: BroadcastRecord[]): Set<string> => {
      const forms = new Set<string>();
      for (const b of broadcasts) {
        if (b.actions === null) {
          expect(b.msg_template_ids).toBeNull();
          continue;
        }
        const bare = templateIdsBare(seed, b.id);
        forms.add(bare ? 'bare' : 'refs');
        expect(b.msg_template_ids).toEqual(bare ? b.actions.map((r) => r.id) : b.actions.map((r) => ({ type: r.type, id: r.id })));
      }
      return forms;
    };
    const small = (await call<{ broadcasts: BroadcastRecord[] }>(sim, '/v1/broadcasts')).json.broadcasts;
    expect(small).toEqual(sim.truth.broadcasts());
    // Both forms in the smallest workspace: broadcast 4 always, the others one in three.
    expect([...check(1, small)].sort()).toEqual(['bare', 'refs']);
    const s = await start({ seed: 5, scale: 'medium' });
    try {
      const medium = (await call<{ broadcasts: BroadcastRecord[] }>(s, '/v1/broadcasts')).json.broadcasts;
      expect(medium).toEqual(s.truth.broadcasts());
      const bare = medium.filter((b) => b.id !== 4 && b.actions !== null && templateIdsBare(5, b.id)).length;
      expect(bare).toBeGreaterThan(0);
      expect(bare).toBeLessThan(medium.length / 2);
      check(5, medium);
    } finally {
      await s.close();
    }
  });

  test('workspace id: an integer (spec) or a numeric string (docs example), by seed', async () => {
    const forms = new Map<string, number>();
    for (let seed = 1; seed <= 8; seed++) {
      const s = await start({ seed });
      try {
        const [ws] = (await call<{ workspaces: { id: unknown }[] }>(s, '/v1/workspaces')).json.workspaces;
        expect(typeof ws?.id).toBe(workspaceIdAsString(seed) ? 'string' : 'number');
        expect(String(ws?.id)).toMatch(/^[1-9][0-9]{5}$/);
        expect([ws]).toEqual(s.truth.workspaces());
        forms.set(typeof ws?.id, seed);
      } finally {
        await s.close();
      }
    }
    expect([...forms.keys()].sort()).toEqual(['number', 'string']);
  });

  test('error status: a string (spec, S3) or a number (S6) by request path; auth and rate-limit errors stay strings', async () => {
    const forms = new Set<string>();
    for (let id = 900_001; id < 900_041; id += 2) {
      const path = `/v1/campaigns/${id}/actions`;
      const res = await call<{ errors: { detail: string; status: unknown }[] }>(sim, path);
      expect(res.status).toBe(404);
      const status = res.json.errors[0]?.status;
      expect(status).toEqual(errorStatusAsNumber(1, path) ? 404 : '404');
      forms.add(typeof status);
    }
    expect([...forms].sort()).toEqual(['number', 'string']);
    // The same path always answers the same form.
    const again = await call<{ errors: { status: unknown }[] }>(sim, '/v1/campaigns/900001/actions');
    expect(again.json.errors[0]?.status).toEqual(errorStatusAsNumber(1, '/v1/campaigns/900001/actions') ? 404 : '404');
    const unauthorised = await call(sim, '/v1/campaigns', { headers: { authorization: 'Bearer wrong' } });
    expect(unauthorised.json).toEqual({ errors: [{ detail: expect.any(String), status: '401' }] });
  });

  test('suppression status stays a typed string ("550"): no drift is documented for it', async () => {
    const res = await call<{ suppressions: { status: unknown }[] }>(sim, '/v1/esp/suppression/bounces?limit=1000');
    for (const s of res.json.suppressions) expect(s.status).toBe('550');
  });
});

describe('POST /v1/customers/attributes: wrapped and bare items in one answer (§7.12)', () => {
  test('one person in three comes as {customer: …}, by cio_id; the truth serves the same shapes', async () => {
    const ids = [...sim.truth.peopleCioIds()];
    let wrapped = 0;
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      const res = await call<{ customers: ServedCustomer[] }>(sim, '/v1/customers/attributes?id_type=cio_id', { body: { ids: batch } });
      expect(res.json.customers).toEqual(batch.map((id) => sim.truth.customer(id)));
      res.json.customers.forEach((c, j) => {
        const id = batch[j] ?? '';
        expect('customer' in c).toBe(customerWrapped(1, id));
        if ('customer' in c) {
          wrapped++;
          expect(c.customer.identifiers.cio_id).toBe(id);
        }
      });
    }
    expect(wrapped / ids.length).toBeGreaterThan(0.25);
    expect(wrapped / ids.length).toBeLessThan(0.42);
  });
});
