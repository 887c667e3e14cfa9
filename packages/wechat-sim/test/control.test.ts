import { createDecipheriv } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { rawDataSignature, type Simulator } from '../src/index.js';
import { advance, appid, control, exchange, login, sessionKeyOf, startSim } from './helper.js';

let sim: Simulator;
afterEach(() => sim.close());

const queueFault = (endpoint: string, fault: object, times?: number) =>
  control(sim, '/sim/faults', times === undefined ? { endpoint, fault } : { endpoint, fault, times });

async function rawExchange(code: string) {
  return sim.inject({
    method: 'GET',
    url: '/sns/jscode2session',
    query: { appid, secret: '0123456789abcdef0123456789abcdef', js_code: code, grant_type: 'authorization_code' },
  });
}

describe('POST /sim/faults', () => {
  it.each([
    { fault: { kind: 'system-busy' }, status: 200, type: 'text/plain', body: /"errcode":-1/ },
    { fault: { kind: 'http-error' }, status: 502, type: 'text/html', body: /502 Bad Gateway/ },
    { fault: { kind: 'http-error', status: 503 }, status: 503, type: 'text/html', body: /<html>/ },
    { fault: { kind: 'html' }, status: 200, type: 'text/html; charset=utf-8', body: /<!DOCTYPE html>/ },
    { fault: { kind: 'malformed-json' }, status: 200, type: 'text/plain', body: /^\{"session_key":"$/ },
    { fault: { kind: 'errcode', errcode: 1400001 }, status: 200, type: 'text/plain', body: /"errcode":1400001/ },
  ])('answers the next call with $fault.kind ($status)', async ({ fault, status, type, body }) => {
    sim = await startSim();
    await queueFault('/sns/jscode2session', fault);
    const response = await rawExchange(await login(sim, 'alice'));
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe(type);
    expect(response.body).toMatch(body);
  });

  it('faults exactly the next N calls, leaves the code unspent, then answers normally', async () => {
    sim = await startSim();
    expect((await queueFault('/sns/jscode2session', { kind: 'system-busy' }, 2)).body).toEqual({ pending: 2 });
    const code = await login(sim, 'alice');
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: -1 });
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: -1 });
    expect((await exchange(sim, code)).body).toHaveProperty('openid');
  });

  it('with afterProcessing, spends the code before answering the fault (a retry then gets 40163)', async () => {
    sim = await startSim();
    await queueFault('/sns/jscode2session', { kind: 'system-busy', afterProcessing: true });
    const code = await login(sim, 'alice');
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: -1 });
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: 40163 });
  });

  it('holds a hung call for the given time, then answers it normally', async () => {
    sim = await startSim();
    await queueFault('/sns/jscode2session', { kind: 'hang', ms: 150 });
    const started = performance.now();
    const answer = await exchange(sim, await login(sim, 'alice'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.body).toHaveProperty('openid');
  });

  it('rejects an endpoint WeChat does not have with 400', async () => {
    sim = await startSim();
    expect((await queueFault('/sns/unknown', { kind: 'system-busy' })).status).toBe(400);
  });
});

describe('GET /sim/calls and POST /sim/reset', () => {
  it('counts calls per endpoint, faulted ones included, and reset clears counts, faults, state and clock', async () => {
    sim = await startSim({ now: Date.now });
    const code = await login(sim, 'alice');
    await queueFault('/cgi-bin/token', { kind: 'html' }, 5);
    await exchange(sim, code);
    await exchange(sim, code);
    await sim.inject({ method: 'GET', url: '/cgi-bin/token' });
    const calls = await sim.inject({ method: 'GET', url: '/sim/calls' });
    expect(calls.json()).toEqual({
      '/sns/jscode2session': 2,
      '/cgi-bin/token': 1,
      '/cgi-bin/stable_token': 0,
      '/wxa/checksession': 0,
      '/wxa/resetusersessionkey': 0,
      '/wxa/business/getuserphonenumber': 0,
    });
    await advance(sim, 3600_000);

    await control(sim, '/sim/reset');
    expect(Object.values((await sim.inject({ method: 'GET', url: '/sim/calls' })).json())).toEqual([0, 0, 0, 0, 0, 0]);
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: 40029 });
    const token = await sim.inject({ method: 'GET', url: '/cgi-bin/token' });
    expect(token.headers['content-type']).toBe('text/plain');
    const clock = (await sim.inject({ method: 'GET', url: '/sim/clock' })).json<{ now: number }>();
    expect(Math.abs(clock.now - Date.now())).toBeLessThan(1000);
  });
});

describe('POST /sim/encrypt', () => {
  it('seals the data with the user’s current session_key and a watermark, and signs rawData', async () => {
    sim = await startSim();
    const sessionKey = sessionKeyOf(await exchange(sim, await login(sim, 'alice')));
    const data = { nickName: 'Alice', stepInfoList: [{ timestamp: 1, step: 42 }] };
    const { body } = await control(sim, '/sim/encrypt', { appid, user: 'alice', data });
    const decipher = createDecipheriv(
      'aes-128-cbc',
      Buffer.from(sessionKey, 'base64'),
      Buffer.from(String(body['iv']), 'base64'),
    );
    const plain = Buffer.concat([decipher.update(String(body['encryptedData']), 'base64'), decipher.final()]);
    expect(JSON.parse(plain.toString('utf8'))).toEqual({
      ...data,
      watermark: { appid, timestamp: expect.any(Number) },
    });
    expect(body['rawData']).toBe(JSON.stringify(data));
    expect(body['signature']).toBe(rawDataSignature(JSON.stringify(data), sessionKey));
  });

  it('answers 409 for a user without a login state', async () => {
    sim = await startSim();
    expect((await control(sim, '/sim/encrypt', { appid, user: 'nobody', data: {} })).status).toBe(409);
  });
});

describe('the control API', () => {
  it.each(['/sim/login', '/sim/phone-code', '/sim/check-session', '/sim/identity'])(
    '%s answers 404 for an unknown appid',
    async (path) => {
      sim = await startSim();
      const { status, body } = await control(sim, path, { appid: 'wx9999999999999999', user: 'alice' });
      expect(status).toBe(404);
      expect(body['error']).toContain('POST /sim/apps');
    },
  );

  it('answers 400 for a body that does not match its schema', async () => {
    sim = await startSim();
    expect((await control(sim, '/sim/login', { appid })).status).toBe(400);
  });

  it('registers apps at runtime', async () => {
    sim = await startSim();
    await control(sim, '/sim/apps', { appid: 'wxabc', secret: 'shh' });
    const code = await login(sim, 'alice', 'wxabc');
    const answer = await exchange(sim, code, { appid: 'wxabc', secret: 'shh' });
    expect(answer.body).toHaveProperty('openid');
  });

  it('lets a browser page on another origin call it (CORS)', async () => {
    sim = await startSim();
    const preflight = await sim.inject({
      method: 'OPTIONS',
      url: '/sim/login',
      headers: { origin: 'http://localhost:10086', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    const { headers } = await control(sim, '/sim/login', { appid, user: 'alice' });
    expect(headers['access-control-allow-origin']).toBe('*');
  });

  it('keeps WeChat’s endpoints free of CORS headers, as WeChat does', async () => {
    sim = await startSim();
    expect((await rawExchange('x')).headers).not.toHaveProperty('access-control-allow-origin');
  });
});
