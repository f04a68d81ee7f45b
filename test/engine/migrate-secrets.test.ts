import { describe, expect, it } from 'vitest';
import { migrateStreamState, parseAirbyteState } from '../../src/engine/state.js';
import { withoutActionSecrets, withoutCredentials, withoutSecretHeaders } from '../../src/streams/secrets.js';

describe('state from older versions and other connectors', () => {
  it('a legacy {stream: state} object and a LEGACY message are migrated, with a warning', () => {
    const warnings: string[] = [];
    expect(parseAirbyteState({ campaigns: { updated: 5 } }, 's.json', (w) => warnings.push(w))).toEqual({ campaigns: { updated: 5 } });
    expect(parseAirbyteState([{ type: 'LEGACY', data: { segments: { updated_at: 7 } } }], 's.json', (w) => warnings.push(w))).toEqual({ segments: { updated_at: 7 } });
    expect(
      parseAirbyteState([{ type: 'GLOBAL', global: { stream_states: [{ stream_descriptor: { name: 'messages' }, stream_state: { created: 9 } }] } }], 's.json', (w) => warnings.push(w)),
    ).toEqual({ messages: { created: 9 } });
    expect(warnings).toHaveLength(3);
  });

  it('per-partition states of the low-code connector become partition bookmarks', () => {
    const warnings: string[] = [];
    const migrated = migrateStreamState(
      { name: 'campaigns_actions', cursor: { field: 'updated', mode: 'client-filter' } },
      { states: [{ partition: { id: 12, parent_slice: {} }, cursor: { updated: 100 } }, { partition: { id: 13 }, cursor: { updated: 200 } }] },
      (w) => warnings.push(w),
    );
    expect(migrated).toEqual({ partitions: { '12': { updated: 100 }, '13': { updated: 200 } } });
    expect(warnings[0]).toMatch(/2 partition bookmarks were migrated/);
  });

  it('a state without this stream\'s cursor is dropped with a warning, never silently', () => {
    const warnings: string[] = [];
    expect(migrateStreamState({ name: 'messages', cursor: { field: 'created', mode: 'server-window' } }, { created_at: 5 }, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings[0]).toMatch(/has no "created" bookmark/);
    expect(migrateStreamState({ name: 'messages', cursor: { field: 'created', mode: 'server-window' } }, { created: 5 }, (w) => warnings.push(w))).toEqual({ created: 5 });
  });
});

describe('secrets inside API data', () => {
  it('credentials and secret parameters leave URLs; the rest stays', () => {
    expect(withoutCredentials('https://user:pw@hooks.example.com/x?token=abc&team=7')).toBe('https://hooks.example.com/x?team=7');
    expect(withoutCredentials('https://hooks.example.com/x?api_key=1&sig=2')).toBe('https://hooks.example.com/x');
    expect(withoutCredentials('not a url user:pw@host')).toBe('not a url user:pw@host');
    expect(withoutCredentials(null)).toBeNull();
  });

  it('webhook action headers lose the ones carrying credentials', () => {
    const headers = JSON.stringify([
      { name: 'Content-Type', value: 'application/json' },
      { name: 'Authorization', value: 'Bearer s3cr3t' },
      { name: 'X-Api-Key', value: 'k' },
    ]);
    expect(JSON.parse(withoutSecretHeaders(headers) as string)).toEqual([{ name: 'Content-Type', value: 'application/json' }]);
    expect(withoutSecretHeaders('{not json')).toBeNull();
    const action = withoutActionSecrets({ id: '1', url: 'https://u:p@h.example/x', headers });
    expect(action['url']).toBe('https://h.example/x');
    expect(String(action['headers'])).not.toContain('s3cr3t');
  });
});
