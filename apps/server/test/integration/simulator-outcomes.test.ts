import type { ErrorAction, ErrorCode } from '@wxauth/contracts';
import type { Fault } from '@wxauth/wechat-sim';
import { describe, expect, it } from 'vitest';
import { call, login } from '../helper.js';
import { TEST_APP, useSimulatedWorld } from '../support/simulator.js';

const world = useSimulatedWorld();
const appid = TEST_APP.appid;
const relogin: ErrorAction = { kind: 'relogin' };

interface Outcome {
  name: string;
  fault: Fault;
  times?: number;
  status: number;
  code?: ErrorCode;
  action?: ErrorAction;
  upstreamCalls: number;
}

const outcomes: Outcome[] = [
  {
    name: '40029 invalid code',
    fault: { kind: 'errcode', errcode: 40029 },
    status: 401,
    code: 'INVALID_CODE',
    action: relogin,
    upstreamCalls: 1,
  },
  {
    name: '40163 code used',
    fault: { kind: 'errcode', errcode: 40163 },
    status: 401,
    code: 'CODE_USED',
    action: relogin,
    upstreamCalls: 1,
  },
  {
    name: '45011 frequency limit',
    fault: { kind: 'errcode', errcode: 45011 },
    status: 429,
    code: 'RATE_LIMITED',
    action: { kind: 'retry', afterSeconds: 60 },
    upstreamCalls: 1,
  },
  {
    name: '40226 high-risk user',
    fault: { kind: 'errcode', errcode: 40226 },
    status: 403,
    code: 'USER_BLOCKED',
    action: { kind: 'give-up' },
    upstreamCalls: 1,
  },
  { name: '-1 once, then success', fault: { kind: 'system-busy' }, status: 200, upstreamCalls: 2 },
  {
    name: '-1 until the retry budget ends',
    fault: { kind: 'system-busy' },
    times: 10,
    status: 503,
    code: 'UPSTREAM_UNAVAILABLE',
    action: relogin,
    upstreamCalls: 2,
  },
  {
    name: 'a hang past the timeout, every time',
    // Far longer than WECHAT_TIMEOUT_MS + retry budget: the answer's arrival proves the cut.
    fault: { kind: 'hang', ms: 20_000 },
    times: 10,
    status: 503,
    code: 'UPSTREAM_UNAVAILABLE',
    action: relogin,
    upstreamCalls: 2,
  },
  {
    name: 'an HTML page',
    fault: { kind: 'html' },
    times: 10,
    status: 502,
    code: 'UPSTREAM_UNAVAILABLE',
    action: relogin,
    upstreamCalls: 1,
  },
  {
    name: 'malformed JSON',
    fault: { kind: 'malformed-json' },
    times: 10,
    status: 502,
    code: 'UPSTREAM_UNAVAILABLE',
    action: relogin,
    upstreamCalls: 1,
  },
  {
    name: 'a 502 from a gateway, every time',
    fault: { kind: 'http-error', status: 502 },
    times: 10,
    status: 503,
    code: 'UPSTREAM_UNAVAILABLE',
    action: relogin,
    upstreamCalls: 2,
  },
];

describe('every upstream outcome of code2Session', () => {
  it.each(outcomes)('$name → $status $code', async ({ fault, times, status, code, action, upstreamCalls }) => {
    const { app, sim, code: wxLogin } = await world.start({ WECHAT_TIMEOUT_MS: '300' });
    await sim.fault({ endpoint: '/sns/jscode2session', fault, times: times ?? 1 });
    const started = Date.now();
    const reply = await call(app, 'login', { body: { code: await wxLogin('hana') } });
    // Not a hang: every outcome ends long before the hang fault would (a loaded CI machine is slow).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(reply.status).toBe(status);
    if (reply.status !== 200) {
      expect(reply.body.error).toMatchObject({ code, action });
      if (action?.kind === 'retry') expect(reply.headers['retry-after']).toBe(String(action.afterSeconds));
    }
    // Upstream calls are at most the client's quick retry: nothing piles onto a failing WeChat.
    expect((await sim.calls())['/sns/jscode2session']).toBe(upstreamCalls);
  });

  it('a real high-risk user → 403 USER_BLOCKED', async () => {
    const { app, sim, code } = await world.start();
    await sim.describeUser({ user: 'risky', highRisk: true });
    expect(await call(app, 'login', { body: { code: await code('risky') } })).toMatchObject({
      status: 403,
      body: { error: { code: 'USER_BLOCKED', action: { kind: 'give-up' } } },
    });
  });

  it('a real reused code from another server → 401 CODE_USED', async () => {
    const sim = await world.startSimulator();
    // Two servers that do not share a store cannot de-duplicate: WeChat itself refuses the second.
    const [first, second] = [await world.startServer(sim), await world.startServer(sim)];
    const once = await sim.login({ appid, user: 'ivan' });
    expect((await call(first, 'login', { body: { code: once } })).status).toBe(200);
    expect(await call(second, 'login', { body: { code: once } })).toMatchObject({
      status: 401,
      body: { error: { code: 'CODE_USED' } },
    });
  });

  it('a wrong secret → 502 UPSTREAM_MISCONFIGURED, never retried, logged loudly', async () => {
    const sim = await world.startSimulator();
    const app = await world.startServer(sim, { WECHAT_SECRET: 'ffffffffffffffffffffffffffffffff' });
    const reply = await call(app, 'login', { body: { code: await sim.login({ appid, user: 'jack' }) } });
    expect(reply).toMatchObject({
      status: 502,
      body: { error: { code: 'UPSTREAM_MISCONFIGURED', action: { kind: 'give-up' } } },
    });
    expect((await sim.calls())['/sns/jscode2session']).toBe(1);
  });

  it('a wrong AppSecret on the token endpoint (40001) → 502 UPSTREAM_MISCONFIGURED, not a token to retry', async () => {
    const { app, sim, code: wxLogin } = await world.start();
    const token = await login(app, await wxLogin('liam'));
    await sim.fault({ endpoint: '/cgi-bin/stable_token', fault: { kind: 'errcode', errcode: 40001 }, times: 10 });
    const reply = await call(app, 'phone', { token, body: { code: await sim.phoneCode({ appid, user: 'liam' }) } });
    expect(reply).toMatchObject({
      status: 502,
      body: { error: { code: 'UPSTREAM_MISCONFIGURED', action: { kind: 'give-up' } } },
    });
    const calls = await sim.calls();
    expect(calls['/cgi-bin/stable_token']).toBe(1);
    expect(calls['/wxa/business/getuserphonenumber']).toBe(0);
  });

  it('an unknown code from the simulator → 401 INVALID_CODE', async () => {
    const { app } = await world.start();
    expect(await call(app, 'login', { body: { code: 'notacodethesimulatorissued' } })).toMatchObject({
      status: 401,
      body: { error: { code: 'INVALID_CODE' } },
    });
  });

  it.each([
    [1400001, 429, 'PHONE_QUOTA_EXCEEDED'],
    [40029, 400, 'PHONE_CODE_INVALID'],
  ] as const)('phone number errcode %i → %i %s', async (errcode, status, code) => {
    const { app, sim, code: wxLogin } = await world.start();
    const token = await login(app, await wxLogin('kate'));
    await sim.fault({ endpoint: '/wxa/business/getuserphonenumber', fault: { kind: 'errcode', errcode } });
    const reply = await call(app, 'phone', { token, body: { code: await sim.phoneCode({ appid, user: 'kate' }) } });
    expect(reply).toMatchObject({ status, body: { error: { code } } });
  });
});
