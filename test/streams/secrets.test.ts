import { describe, expect, it } from 'vitest';
import { withoutActionSecrets, withoutCredentials, withoutSecretHeaders } from '../../src/streams/secrets.js';

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
