import http from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import type { Simulator } from '../src/index.js';
import { AUTH, call, start } from './helpers.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A raw request with node:http, to see exactly what reaches the wire. */
function raw(url: string, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; error?: Error }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { headers: AUTH, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error: new Error('aborted') }));
    });
    req.on('error', reject);
  });
}

describe('fault injection', () => {
  test("'status' bursts with skip and times counted per rule", async () => {
    sim = await start({ faults: [{ path: '^/v1/campaigns$', kind: 'status', status: 503, skip: 1, times: 2 }] });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sim, '/v1/campaigns')).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
    const res = await call(sim, '/v1/segments');
    expect(res.status).toBe(200);
    sim.setFaults([{ path: '^/v1/segments', kind: 'status', status: 500 }]);
    const failed = await call(sim, '/v1/segments');
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ errors: [{ detail: expect.any(String), status: '500' }] });
  });

  test("'status' 429 with and without a Retry-After header, custom body, method filter", async () => {
    sim = await start({
      faults: [
        { path: '^/v1/newsletters$', kind: 'status', status: 429, headers: { 'Retry-After': '2' }, times: 1 },
        { path: '^/v1/newsletters$', kind: 'status', status: 429, times: 1, body: '{"errors":[{"detail":"daily quota","status":"429"}]}' },
        { path: '^/v1/customers$', method: 'POST', kind: 'status', status: 502 },
      ],
    });
    const withHeader = await call(sim, '/v1/newsletters');
    expect(withHeader.status).toBe(429);
    expect(withHeader.headers.get('retry-after')).toBe('2');
    // The first rule is spent; the second one fires (rules count matches independently).
    const quota = await call(sim, '/v1/newsletters');
    expect(quota.status).toBe(429);
    expect(quota.headers.get('retry-after')).toBeNull();
    expect(quota.json).toEqual({ errors: [{ detail: 'daily quota', status: '429' }] });
    expect((await call(sim, '/v1/newsletters')).status).toBe(200);
    expect((await call(sim, '/v1/customers', { body: { filter: { segment: { id: 1 } } } })).status).toBe(502);
    expect(sim.stats().rateLimited).toBe(2);
  });

  test("'reset' destroys the socket before any response", async () => {
    sim = await start({ faults: [{ path: '^/v1/campaigns$', kind: 'reset', times: 1 }] });
    await expect(fetch(`${sim.url}/v1/campaigns`, { headers: AUTH })).rejects.toThrow();
    expect((await call(sim, '/v1/campaigns')).status).toBe(200);
    expect(sim.stats().byStatus.none).toBe(1);
  });

  test("'reset-mid-body' sends headers and part of the body, then cuts", async () => {
    sim = await start({ faults: [{ path: '^/v1/campaigns$', kind: 'reset-mid-body' }] });
    const res = await raw(sim.url, '/v1/campaigns');
    expect(res.status).toBe(200);
    expect(res.error).toBeDefined();
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.body.length).toBeLessThan(Number(res.headers['content-length']));
    const viaFetch = await fetch(`${sim.url}/v1/campaigns`, { headers: AUTH });
    expect(viaFetch.status).toBe(200);
    await expect(viaFetch.text()).rejects.toThrow();
  });

  test("'truncated' has an honest Content-Length but the JSON stops mid-way", async () => {
    sim = await start({ faults: [{ path: '^/v1/segments$', kind: 'truncated' }] });
    const res = await raw(sim.url, '/v1/segments');
    expect(res.status).toBe(200);
    expect(res.error).toBeUndefined();
    expect(res.body.length).toBe(Number(res.headers['content-length']));
    expect(() => JSON.parse(res.body.toString())).toThrow();
    expect(res.body.toString()).toMatch(/^\{"segments":\[/);
  });

  test("'html' is a 200 text/html proxy page", async () => {
    sim = await start({ faults: [{ path: '^/v1/messages$', kind: 'html' }] });
    const res = await call(sim, '/v1/messages');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.text).toMatch(/^<!DOCTYPE html>/);
  });

  test("'wrong-shape' is 200 JSON without the records key and with a numeric next", async () => {
    sim = await start({ faults: [{ path: '^/v1/activities$', kind: 'wrong-shape' }] });
    const res = await call(sim, '/v1/activities');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json).not.toHaveProperty('activities');
    expect(typeof res.json.next).toBe('number');
  });

  test("'delay' answers normally after delayMs; latencyMs delays everything", async () => {
    sim = await start({ latencyMs: 30, faults: [{ path: '^/v1/workspaces$', kind: 'delay', delayMs: 250 }] });
    let t = Date.now();
    const res = await call(sim, '/v1/workspaces');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ workspaces: sim.truth.workspaces() });
    expect(Date.now() - t).toBeGreaterThanOrEqual(270);
    t = Date.now();
    await call(sim, '/v1/campaigns');
    expect(Date.now() - t).toBeGreaterThanOrEqual(25);
  });

  test("'hang' never answers; close() still ends the request and every socket", async () => {
    sim = await start({ faults: [{ path: '^/v1/campaigns$', kind: 'hang' }] });
    await expect(fetch(`${sim.url}/v1/campaigns`, { headers: AUTH, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const pending = fetch(`${sim.url}/v1/campaigns`, { headers: AUTH });
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await sim.close();
    sim = undefined;
    expect(Date.now() - t).toBeLessThan(1000);
    expect(await outcome).toBe('failed');
  });

  test('invalid rules are rejected', async () => {
    sim = await start();
    expect(() => sim?.setFaults([{ path: '(', kind: 'status' }])).toThrow(/RegExp/);
    expect(() => sim?.setFaults([{ path: '.', kind: 'explode' as 'status' }])).toThrow(/kind/);
  });
});
