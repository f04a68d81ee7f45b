import { describe, expect, it } from 'vitest';
import { compileConformer } from '../../src/engine/conform.js';
import { loadSchema } from '../../src/engine/schemas.js';
import { ALL_STREAMS, streamByName } from '../../src/streams/index.js';
import { strictAjv } from '../helpers/strict-ajv.js';

function conform(schema: object, record: Record<string, unknown>): { record: Record<string, unknown>; nulled: string[] } {
  const nulled: string[] = [];
  return { record: compileConformer(schema)(record, (field) => nulled.push(field)), nulled };
}

const schemaOf = (name: string): object => {
  const def = streamByName(name);
  if (!def) throw new Error(name);
  return loadSchema(def);
};

describe('the conformance step', () => {
  it('leaves a record that already fits untouched, without copying it', () => {
    const record = { id: '12', updated: 5, from_id: 3, tags: null, extra: { any: 'thing' } };
    const out = conform(schemaOf('campaigns_actions'), record);
    expect(out.record).toBe(record);
    expect(out.nulled).toEqual([]);
  });

  it('applies the lossless coercions of the documented type drift', () => {
    const action = conform(schemaOf('campaigns_actions'), { id: 12, updated: '1700000000', from_id: '4', reply_to_id: '1', tracked: 'true', fake_bcc: 0 });
    expect(action.record).toEqual({ id: '12', updated: 1_700_000_000, from_id: 4, reply_to_id: 1, tracked: true, fake_bcc: false });
    expect(action.nulled).toEqual([]);
    const broadcast = conform(schemaOf('broadcasts'), { id: '7', updated: 1, msg_template_ids: [5, { id: '6', type: 'email' }], actions: null });
    expect(broadcast.record).toEqual({ id: 7, updated: 1, msg_template_ids: [{ id: 5 }, { id: 6, type: 'email' }], actions: null });
    const workspace = conform(schemaOf('workspaces'), { id: '138201', people: '12' });
    expect(workspace.record).toEqual({ id: 138201, people: 12 });
  });

  it('keeps the content of an object sent where text is declared, and wraps a single value in a list', () => {
    const out = conform(schemaOf('campaigns_actions'), { id: '1', updated: 1, headers: [{ name: 'X', value: 'y' }] });
    expect(out.record['headers']).toBe('[{"name":"X","value":"y"}]');
    const tags = conform(schemaOf('campaigns'), { id: 1, updated: 1, tags: 'welcome' });
    expect(tags.record['tags']).toEqual(['welcome']);
  });

  it('sets a value that fits no declared type to null and names its path, nested ones included', () => {
    const out = conform(schemaOf('messages'), {
      id: 'a',
      created: 1,
      action_id: 'not-a-number',
      campaign_id: 1.5,
      customer_identifiers: { cio_id: 'c1', email: { nested: true }, id: null },
      metrics: { sent: 'soon', delivered: 5 },
    });
    expect(out.record['action_id']).toBeNull();
    expect(out.record['campaign_id']).toBeNull();
    // An object where text is declared is kept as its JSON text, not nulled.
    expect(out.record['customer_identifiers']).toEqual({ cio_id: 'c1', email: '{"nested":true}', id: null });
    expect(out.record['metrics']).toEqual({ sent: null, delivered: 5 });
    expect(out.nulled.sort()).toEqual(['action_id', 'campaign_id', 'metrics.sent']);
  });

  it('names list items with [] and does not drop the record', () => {
    const out = conform(schemaOf('broadcasts'), { id: 1, updated: 1, msg_template_ids: [{ id: 'x' }, true] });
    expect(out.record['msg_template_ids']).toEqual([{ id: null }, null]);
    expect(out.nulled).toEqual(['msg_template_ids[].id', 'msg_template_ids[]']);
  });

  it('makes every drifted shape of every stream validate against its schema', () => {
    const ajv = strictAjv();
    // One drifted value per declared top-level property: the scalar types swapped for strings,
    // strings for numbers, lists for bare values.
    for (const def of ALL_STREAMS) {
      const schema = loadSchema(def) as { properties: Record<string, { type?: string | string[]; enum?: unknown; format?: unknown }> };
      const validate = ajv.compile(schema);
      const record: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties)) {
        const types = [property.type ?? []].flat();
        if (property.enum !== undefined || property.format !== undefined) {
          record[name] = property.format !== undefined ? '2025-01-01T00:00:00Z' : 'days'; // the tap's own columns
          continue;
        }
        if (types.includes('integer') || types.includes('number')) record[name] = '42';
        else if (types.includes('string')) record[name] = 42;
        else if (types.includes('boolean')) record[name] = 'false';
        else if (types.includes('array')) record[name] = null;
        else record[name] = null;
      }
      const out = conform(schema, record);
      expect(validate(out.record), `${def.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(out.nulled, def.name).toEqual([]);
    }
  });
});
