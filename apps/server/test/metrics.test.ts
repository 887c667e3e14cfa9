import { randomBytes } from 'node:crypto';
import { freePort } from '@wxauth/testkit';
import { describe, expect, it } from 'vitest';
import { buildTestApp, call } from './helper.js';
import { useRedisServer } from './support/redis.js';
import { useSimulatedWorld } from './support/simulator.js';

const redis = useRedisServer();
// Production rules, as deployments run metrics: they need a sealing secret.
const production = { NODE_ENV: 'production', SESSION_KEY_SECRET: randomBytes(32).toString('base64') };
const world = useSimulatedWorld();

/** The value of one sample of Prometheus' text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  it('are off by default: no /metrics, nothing added to a request', async () => {
    const app = await buildTestApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
      expect(app.hasDecorator('metrics')).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('with METRICS=on count requests by route and status, logins by outcome, WeChat calls by errcode, store operations', async () => {
    const { app, code } = await world.start({ ...redis.env(), METRICS: 'on', ...production });
    expect((await call(app, 'login', { body: { code: await code('alice') } })).status).toBe(200);
    expect((await call(app, 'login', { body: { code: 'not-a-code-wechat-gave' } })).status).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    const requests = 'http_request_duration_seconds_count';
    expect(sample(text, requests, { route: '/auth/login', status_code: '200', method: 'POST' })).toBe(1);
    expect(sample(text, requests, { route: '/auth/login', status_code: '401', method: 'POST' })).toBe(1);
    expect(sample(text, requests, { route: '/healthz', status_code: '200', method: 'GET' })).toBe(1);
    expect(sample(text, 'wxauth_logins_total', { outcome: 'ok' })).toBe(1);
    expect(sample(text, 'wxauth_logins_total', { outcome: 'INVALID_CODE' })).toBe(1);
    const wechat = 'wxauth_wechat_call_duration_seconds_count';
    expect(sample(text, wechat, { call: 'code2Session', errcode: '0' })).toBe(1);
    expect(sample(text, wechat, { call: 'code2Session', errcode: '40029' })).toBe(1);
    const store = 'wxauth_store_operation_duration_seconds_count';
    expect(sample(text, store, { operation: 'createSession', result: 'ok' })).toBe(1);
    expect(
      sample(text, 'wxauth_store_operation_duration_seconds_bucket', { operation: 'createSession', le: '+Inf' }),
    ).toBe(1);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
  });

  it('with METRICS_PORT serve /metrics on that port only, off the API', async () => {
    const port = await freePort();
    const { app } = await world.start({ ...redis.env(), METRICS_PORT: String(port), ...production });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^# HELP wxauth_logins_total /m);
  });

  it.each([
    ['METRICS', 'yes'],
    ['METRICS_PORT', '70000'],
  ])('refuses %s=%s, naming it', async (name, value) => {
    await expect(buildTestApp({ [name]: value })).rejects.toThrow(name);
  });
});
