import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { advance, appid, login, plainToken, secret, stableToken, startSim, wechatGet, wechatPost } from './helper.js';

let sim: Simulator;
afterEach(() => sim.close());

/** Any token-protected API will do to ask whether a token still works; checksession is the cheapest. */
async function tokenErrcode(token: string): Promise<unknown> {
  await login(sim, 'alice');
  const answer = await wechatGet(sim, '/wxa/checksession', {
    access_token: token,
    openid: 'o-unknown',
    signature: 'x',
    sig_method: 'hmac_sha256',
  });
  return answer.body['errcode'];
}

/** What checksession answers an unknown openid once the token passed: 87009, no key matches. */
const ACCEPTED = 87009;

describe('GET /cgi-bin/token (plain)', () => {
  it('issues a token that lasts 7200 s', async () => {
    sim = await startSim();
    const answer = await wechatGet(sim, '/cgi-bin/token', { grant_type: 'client_credential', appid, secret });
    expect(answer.body).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    expect(answer.contentType).toContain('application/json');
  });

  it('keeps the previous token working for 5 minutes after a refresh, then answers 40001 for it', async () => {
    sim = await startSim();
    const old = await plainToken(sim);
    const fresh = await plainToken(sim);
    expect(fresh).not.toBe(old);
    await advance(sim, 5 * 60_000 - 1);
    expect(await tokenErrcode(old)).toBe(ACCEPTED);
    await advance(sim, 1);
    expect(await tokenErrcode(old)).toBe(40001);
    expect(await tokenErrcode(fresh)).toBe(ACCEPTED);
  });

  // getAccessToken's errcode table: "40001 AppSecret错误或者AppSecret不属于这个小程序".
  it.each([
    { case: 'a wrong AppSecret (40001 in its table, not 40125)', query: { secret: 'nope' }, errcode: 40001 },
    { case: 'another app’s AppSecret', query: { secret: '0123456789abcdef0123456789abcdee' }, errcode: 40001 },
    { case: 'an unknown appid', query: { appid: 'wx9999999999999999' }, errcode: 40013 },
    { case: 'a wrong grant_type', query: { grant_type: 'authorization_code' }, errcode: 40002 },
  ])('answers $case with $errcode', async ({ query, errcode }) => {
    sim = await startSim();
    const answer = await wechatGet(sim, '/cgi-bin/token', { grant_type: 'client_credential', appid, secret, ...query });
    expect(answer.body).toMatchObject({ errcode });
  });
});

describe('POST /cgi-bin/stable_token', () => {
  it('returns the same token until it nears expiry, with the remaining lifetime', async () => {
    sim = await startSim();
    const first = await stableToken(sim);
    await advance(sim, 1000 * 1000);
    const again = await wechatPost(sim, '/cgi-bin/stable_token', { grant_type: 'client_credential', appid, secret });
    expect(again.body).toEqual({ access_token: first, expires_in: 6200 });
  });

  it('renews the token 5 minutes before expiry, so expires_in is never below 300', async () => {
    sim = await startSim();
    const first = await stableToken(sim);
    await advance(sim, (7200 - 301) * 1000);
    expect(await stableToken(sim)).toBe(first);
    await advance(sim, 2000);
    const renewed = await wechatPost(sim, '/cgi-bin/stable_token', { grant_type: 'client_credential', appid, secret });
    expect(renewed.body['access_token']).not.toBe(first);
    expect(renewed.body['expires_in']).toBe(7200);
    expect(await tokenErrcode(first)).toBe(ACCEPTED);
  });

  it('issues a new token on force_refresh and revokes the previous one at once', async () => {
    sim = await startSim();
    const first = await stableToken(sim);
    const forced = await stableToken(sim, true);
    expect(forced).not.toBe(first);
    expect(await tokenErrcode(first)).toBe(40001);
    expect(await tokenErrcode(forced)).toBe(ACCEPTED);
    expect(await stableToken(sim)).toBe(forced);
  });

  it('does not refresh on a forced call within 30 s of the last forced refresh', async () => {
    sim = await startSim();
    const forced = await stableToken(sim, true);
    await advance(sim, 29_999);
    expect(await stableToken(sim, true)).toBe(forced);
    await advance(sim, 1);
    const again = await stableToken(sim, true);
    expect(again).not.toBe(forced);
    expect(await tokenErrcode(forced)).toBe(40001);
  });

  it('allows 20 forced refreshes a Beijing day: the 21st answers 45009, the next day works again', async () => {
    // The simulator's clock starts at a fixed instant; move to just after midnight in Beijing.
    sim = await startSim({ now: () => Date.UTC(2026, 0, 1, 16, 0, 1) });
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) {
      tokens.add(await stableToken(sim, true));
      await advance(sim, 30_000);
    }
    expect(tokens.size).toBe(20);
    const refused = await wechatPost(sim, '/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid,
      secret,
      force_refresh: true,
    });
    expect(refused.body).toMatchObject({ errcode: 45009, errmsg: expect.stringContaining('daily quota') });
    // Normal mode is not part of that quota.
    expect(await stableToken(sim)).toBe([...tokens].at(-1));
    await advance(sim, 24 * 3600_000);
    expect(tokens.has(await stableToken(sim, true))).toBe(false);
  });

  it('is independent of the plain token: fetching one does not revoke the other', async () => {
    sim = await startSim();
    const stable = await stableToken(sim);
    await plainToken(sim);
    await advance(sim, 10 * 60_000);
    expect(await tokenErrcode(stable)).toBe(ACCEPTED);
  });

  it.each([
    { case: 'a body that is not JSON', body: 'grant_type=client_credential', errcode: 47001 },
    {
      case: 'a wrong AppSecret (40001, as for /cgi-bin/token)',
      body: { grant_type: 'client_credential', appid, secret: 'x' },
      errcode: 40001,
    },
    {
      case: 'a non-boolean force_refresh',
      body: { grant_type: 'client_credential', appid, secret, force_refresh: 'yes' },
      errcode: 47001,
    },
  ])('answers $case with $errcode', async ({ body, errcode }) => {
    sim = await startSim();
    expect((await wechatPost(sim, '/cgi-bin/stable_token', body)).body).toMatchObject({ errcode });
  });
});

describe('token checks on the other APIs', () => {
  it.each([
    { case: 'a token never issued', token: 'forged', errcode: 40001 },
    { case: 'no token', token: '', errcode: 41001 },
  ])('answers $case with $errcode', async ({ token, errcode }) => {
    sim = await startSim();
    expect(await tokenErrcode(token)).toBe(errcode);
  });

  it('answers 42001 once a token is 7200 s old', async () => {
    sim = await startSim();
    const token = await plainToken(sim);
    await advance(sim, 7200 * 1000);
    expect(await tokenErrcode(token)).toBe(42001);
  });
});
