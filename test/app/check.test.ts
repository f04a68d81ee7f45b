import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/app/check.js';
import { Session } from '../../src/app/session.js';
import { systemClock } from '../../src/clock.js';
import { startSimulator, type Simulator } from 'customerio-simulator';
import { ALL_STREAMS } from '../../src/streams/index.js';
import { ofType, runCli, TEST_KEY, writeFiles } from '../helpers/cli.js';

const EU_KEY = 'cio-test-EU-key-0c4d1a77';

function session(hosts: { us: string; eu: string }): Session {
  return new Session('airbyte', { stdout: new PassThrough(), stderr: new PassThrough(), clock: systemClock, hosts, env: {}, handleSignals: false });
}

let us: Simulator;
let eu: Simulator;

beforeAll(async () => {
  us = await startSimulator({ apiKeys: [TEST_KEY], rateLimit: 0 });
  eu = await startSimulator({ apiKeys: [EU_KEY], rateLimit: 0, forbidden: ['/v1/segments', '/v1/activities'] });
});

afterAll(async () => {
  await us.close();
  await eu.close();
});

describe('check: region auto', () => {
  it('tries US first and reports it when the key belongs there', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: TEST_KEY } });
    const result = await runCheck(session({ us: us.url, eu: eu.url }), path as string);
    expect(result.ok).toBe(true);
    expect(result.region).toBe('us');
    expect(result.message).toMatch(/US region/);
  });

  it('falls back to EU when US answers 401, and says so', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: EU_KEY, region: 'auto' } });
    us.resetStats();
    const result = await runCheck(session({ us: us.url, eu: eu.url }), path as string);
    expect(result.region).toBe('eu');
    expect(result.message).toMatch(/EU region/);
    expect(us.stats().byStatus['401']).toBe(1);
  });

  it('a key neither region accepts: FAILED with the three hints', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: 'cio-unknown-key-5e6f' } });
    const result = await runCheck(session({ us: us.url, eu: eu.url }), path as string);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/every region/);
    expect(result.message).toMatch(/not a Track API key/);
    expect(result.message).toMatch(/region/);
    expect(result.message).toMatch(/IP allowlist/);
  });

  it('an explicit region is not second-guessed', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: EU_KEY, region: 'us' } });
    eu.resetStats();
    const result = await runCheck(session({ us: us.url, eu: eu.url }), path as string);
    expect(result.ok).toBe(false);
    expect(eu.stats().requests).toBe(0);
  });
});

describe('check: per-stream access', () => {
  it('names each forbidden stream and the access it lacks, and still succeeds', async () => {
    const { 'c.json': path } = writeFiles({ 'c.json': { app_api_key: EU_KEY, base_url: eu.url } });
    eu.resetStats();
    const result = await runCli(['check', '--config', path as string]);
    expect(result.code).toBe(0);
    const status = ofType(result.messages, 'CONNECTION_STATUS')[0]?.['connectionStatus'];
    expect(status.status).toBe('SUCCEEDED');
    // The EU workspace forbids /v1/segments and /v1/activities: every stream of those two areas
    // of access (the scope in its definition) is named with the 403, every other one is readable.
    const blockedScopes = new Set(['Segments', 'Activities']);
    const blocked = ALL_STREAMS.filter((d) => blockedScopes.has(d.scope));
    expect(blocked.map((d) => d.name)).toEqual(expect.arrayContaining(['segments', 'segment_memberships', 'segment_usage', 'activities']));
    const readable = /Readable: ([^.]*)\./.exec(status.message)?.[1]?.split(', ') ?? [];
    expect([...readable].sort()).toEqual(
      ALL_STREAMS.filter((d) => !blockedScopes.has(d.scope))
        .map((d) => d.name)
        .sort(),
    );
    for (const def of blocked) expect(status.message).toContain(`${def.name} (403: the key lacks access to ${def.scope})`);
    // One probe per area of access, not per stream: the whole catalog in a handful of calls.
    const areas = new Set(ALL_STREAMS.map((d) => d.scope)).size;
    expect(ALL_STREAMS.length).toBeGreaterThan(areas * 2);
    expect(eu.stats().requests).toBeLessThanOrEqual(areas + 1);
  });
});
