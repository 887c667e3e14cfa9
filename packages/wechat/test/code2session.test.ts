import { simulatedOpenid, simulatedUnionid } from '@wxauth/wechat-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { WeChatError } from '../src/index.js';
import { appid, rejection, startUpstream, TEST_APP, type Upstream } from './helper.js';

let upstream: Upstream;
afterEach(() => upstream.stop());

const jscode2session = '/sns/jscode2session';

async function exchangeCalls(): Promise<number> {
  return (await upstream.control.calls())[jscode2session];
}

describe('code2Session: success', () => {
  it('returns openid and sessionKey, and no unionid in an app bound to no Open Platform account', async () => {
    upstream = await startUpstream();
    const session = await upstream.client().code2Session(await upstream.login('alice'));
    expect(session).toEqual({ openid: simulatedOpenid(appid, 'alice'), sessionKey: expect.any(String) });
    expect(session).not.toHaveProperty('unionid');
  });

  it('returns every user’s unionid once the mini program is bound to an Open Platform account', async () => {
    upstream = await startUpstream({ apps: [{ ...TEST_APP, openPlatform: 'acme' }] });
    for (const user of ['alice', 'bob']) {
      const session = await upstream.client().code2Session(await upstream.login(user));
      expect(session.unionid).toBe(simulatedUnionid(user, 'acme'));
    }
  });

  it('accepts a success that carries errcode 0 beside the fields', async () => {
    upstream = await startUpstream({ okErrcode: true });
    const session = await upstream.client().code2Session(await upstream.login('alice'));
    expect(session.openid).toBe(simulatedOpenid(appid, 'alice'));
  });

  it('parses the JSON body although WeChat labels it text/plain', async () => {
    upstream = await startUpstream();
    const code = await upstream.login('alice');
    const query = new URLSearchParams({ appid, secret: 'x', js_code: code, grant_type: 'authorization_code' });
    expect((await fetch(`${upstream.url}${jscode2session}?${query}`)).headers.get('content-type')).toBe('text/plain');
    await expect(upstream.client().code2Session(await upstream.login('alice'))).resolves.toHaveProperty('openid');
  });
});

describe('code2Session: errcodes, each a typed error, none retried', () => {
  it.each([
    { errcode: 40029, kind: 'invalid-code', setup: async () => 'never-issued' },
    {
      errcode: 40163,
      kind: 'code-used',
      setup: async () => {
        const code = await upstream.login('alice');
        await upstream.client().code2Session(code);
        return code;
      },
    },
    {
      errcode: 40226,
      kind: 'user-blocked',
      setup: async () => {
        await upstream.control.describeUser({ user: 'mallory', highRisk: true });
        return upstream.login('mallory');
      },
    },
    {
      errcode: 45011,
      kind: 'rate-limited',
      setup: async () => {
        await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'errcode', errcode: 45011 } });
        return upstream.login('alice');
      },
    },
  ])('$errcode → $kind after exactly one call', async ({ errcode, kind, setup }) => {
    upstream = await startUpstream();
    const code = await setup();
    const before = await exchangeCalls();
    const error = await rejection(upstream.client().code2Session(code));
    expect(error).toBeInstanceOf(WeChatError);
    expect(error).toMatchObject({ kind, errcode, endpoint: jscode2session });
    expect((await exchangeCalls()) - before).toBe(1);
  });

  it('45011 from the real per-user limit is rate-limited too', async () => {
    upstream = await startUpstream({ code2SessionPerMinute: 1 });
    const client = upstream.client();
    await client.code2Session(await upstream.login('alice'));
    await expect(client.code2Session(await upstream.login('alice'))).rejects.toMatchObject({ kind: 'rate-limited' });
  });

  it('a code older than five minutes is invalid-code (40029)', async () => {
    upstream = await startUpstream();
    const code = await upstream.login('alice');
    upstream.clock.advance(5 * 60_000);
    await expect(upstream.client().code2Session(code)).rejects.toMatchObject({ kind: 'invalid-code', errcode: 40029 });
  });

  it.each([
    { errcode: 40013, case: 'an unknown appid', options: { appid: 'wx9999999999999999' } },
    { errcode: 40125, case: 'a wrong secret', options: { secret: 'wrong-secret' } },
  ])('$errcode ($case) is misconfigured and never retried', async ({ errcode, options }) => {
    upstream = await startUpstream();
    const error = await rejection(upstream.client(options).code2Session(await upstream.login('alice')));
    expect(error).toMatchObject({ kind: 'misconfigured', errcode });
    expect(await exchangeCalls()).toBe(1);
  });

  it('an errcode the client does not know is unknown, with the errcode kept', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'errcode', errcode: 40999 } });
    await expect(upstream.client().code2Session(await upstream.login('alice'))).rejects.toMatchObject({
      kind: 'unknown',
      errcode: 40999,
    });
  });
});

describe('code2Session: -1 (system busy) gets at most one quick retry', () => {
  it('succeeds on the retry after one -1', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'system-busy' } });
    await expect(upstream.client().code2Session(await upstream.login('alice'))).resolves.toHaveProperty('openid');
    expect(await exchangeCalls()).toBe(2);
  });

  it('gives up as system-busy after two calls, even with more attempts configured', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'system-busy' }, times: 5 });
    const client = upstream.client({ retry: { attempts: 5, budgetMs: 5000 } });
    const error = await rejection(client.code2Session(await upstream.login('alice')));
    expect(error).toMatchObject({ kind: 'system-busy', errcode: -1 });
    expect(await exchangeCalls()).toBe(2);
  });

  it('reports system-busy, not code-used, when the busy attempt had spent the code', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({
      endpoint: jscode2session,
      fault: { kind: 'system-busy', afterProcessing: true },
    });
    const error = await rejection(upstream.client().code2Session(await upstream.login('alice')));
    expect(error).toMatchObject({ kind: 'system-busy', errcode: -1 });
    expect(await exchangeCalls()).toBe(2);
  });

  it('does not retry when too little of the budget is left', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'hang', ms: 600 } });
    const client = upstream.client({ timeoutMs: 300, retry: { attempts: 3, budgetMs: 350 } });
    await expect(client.code2Session(await upstream.login('alice'))).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await exchangeCalls()).toBe(1);
  });
});

describe('code2Session: transport failures', () => {
  it.each([
    { fault: { kind: 'html' as const }, kind: 'bad-response', calls: 1 },
    { fault: { kind: 'malformed-json' as const }, kind: 'bad-response', calls: 1 },
    { fault: { kind: 'http-error' as const, status: 502 }, kind: 'unavailable', calls: 2 },
    { fault: { kind: 'http-error' as const, status: 500 }, kind: 'unavailable', calls: 2 },
  ])('$fault.kind $fault.status → $kind after $calls call(s)', async ({ fault, kind, calls }) => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: jscode2session, fault, times: 5 });
    await expect(upstream.client().code2Session(await upstream.login('alice'))).rejects.toMatchObject({ kind });
    expect(await exchangeCalls()).toBe(calls);
  });

  it('recovers from one HTTP 5xx with the retry', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'http-error', status: 503 } });
    await expect(upstream.client().code2Session(await upstream.login('alice'))).resolves.toHaveProperty('openid');
  });

  it('JSON of another shape is a bad-response', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({
      endpoint: jscode2session,
      fault: { kind: 'errcode', errcode: 0, errmsg: 'ok' },
    });
    await expect(upstream.client().code2Session(await upstream.login('alice'))).rejects.toMatchObject({
      kind: 'bad-response',
    });
  });

  it('cuts a hung call at the timeout and succeeds with the quick retry', async () => {
    upstream = await startUpstream();
    // The hang far outlasts timeout + budget, so finishing well inside it proves the cut without
    // a tight timing bound that a loaded CI machine could break.
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'hang', ms: 20_000 } });
    const client = upstream.client({ timeoutMs: 200, retry: { attempts: 3, budgetMs: 2000 } });
    const started = performance.now();
    await expect(client.code2Session(await upstream.login('alice'))).resolves.toHaveProperty('openid');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await exchangeCalls()).toBe(2);
  });

  it('reports the timeout, not code-used, when the retry finds the code spent by the hung call', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'hang', ms: 1000 } });
    await upstream.control.fault({ endpoint: jscode2session, fault: { kind: 'errcode', errcode: 40163 } });
    const client = upstream.client({ timeoutMs: 200, retry: { attempts: 3, budgetMs: 2000 } });
    const error = await rejection(client.code2Session(await upstream.login('alice')));
    expect(error).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('no answer within 200 ms') });
  });

  it('a connection refused is unavailable', async () => {
    upstream = await startUpstream();
    const client = upstream.client({ baseUrl: 'http://127.0.0.1:9', retry: { attempts: 2, budgetMs: 500 } });
    await expect(client.code2Session('any')).rejects.toMatchObject({ kind: 'unavailable', endpoint: jscode2session });
  });

  it('an HTTP 4xx (a wrong base URL) is a bad-response and not retried', async () => {
    upstream = await startUpstream();
    const client = upstream.client({ baseUrl: `${upstream.url}/not-wechat` });
    const error = await rejection(client.code2Session(await upstream.login('alice')));
    expect(error).toMatchObject({ kind: 'bad-response', message: expect.stringContaining('HTTP 404') });
  });
});
