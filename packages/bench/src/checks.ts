import { TEST_APP } from '@wxauth/wechat-sim';
import { mintCodes, serverSessions, strangerTokens } from './accounts.js';
import { expectStatus, requestJson, stringAt } from './http.js';

/**
 * Before anything is timed, each variant shows it does the work it is credited with: a valid
 * session reads the user, a stranger's token is refused, and (our server) a revoked session stops
 * working at once. A fast answer to the wrong question would otherwise pass as a result.
 */
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectUser(what: string, body: unknown): void {
  if (stringAt(body, 'user', 'openid') === undefined)
    throw new Error(`${what}: no user.openid in ${JSON.stringify(body)}`);
}

export async function checkBare(name: string, url: string): Promise<void> {
  const response = await requestJson(`${url}/auth/session`);
  expectStatus(name, response, 200);
  expectUser(name, response.body);
}

export async function checkExpress(url: string, cookie: string): Promise<void> {
  const valid = await requestJson(`${url}/auth/session`, { headers: { cookie } });
  expectStatus('express: valid session', valid, 200);
  expectUser('express: valid session', valid.body);
  expectStatus('express: no session', await requestJson(`${url}/auth/session`), 401);
}

export async function checkServer(name: string, url: string, simulatorUrl: string, token: string): Promise<void> {
  const valid = await requestJson(`${url}/auth/session`, { headers: bearer(token) });
  expectStatus(`${name}: valid token`, valid, 200);
  expectUser(`${name}: valid token`, valid.body);
  const [stranger = ''] = strangerTokens(1);
  expectStatus(
    `${name}: stranger's token`,
    await requestJson(`${url}/auth/session`, { headers: bearer(stranger) }),
    401,
  );

  const [revoked = ''] = await serverSessions(url, simulatorUrl, 1);
  expectStatus(`${name}: fresh session`, await requestJson(`${url}/auth/session`, { headers: bearer(revoked) }), 200);
  const logout = await requestJson(`${url}/auth/logout`, { method: 'POST', headers: bearer(revoked) });
  expectStatus(`${name}: logout`, logout, 204);
  const after = await requestJson(`${url}/auth/session`, { headers: bearer(revoked) });
  expectStatus(`${name}: session right after logout`, after, 401);
}

export async function checkLogin(url: string, simulatorUrl: string): Promise<void> {
  const [code = ''] = await mintCodes(simulatorUrl, 1);
  const login = await requestJson(`${url}/auth/login`, { body: { code, appid: TEST_APP.appid } });
  expectStatus('login: fresh code', login, 200);
  if (stringAt(login.body, 'token') === undefined) throw new Error(`login: no token in ${JSON.stringify(login.body)}`);
  // A retried code is answered from its claim (same user, no second WeChat call): by design.
  const retry = await requestJson(`${url}/auth/login`, { body: { code, appid: TEST_APP.appid } });
  if (retry.status === 200 && stringAt(retry.body, 'user', 'openid') !== stringAt(login.body, 'user', 'openid')) {
    throw new Error('login: a retried code logged in a different user');
  }
  const [forged = ''] = strangerTokens(1);
  const invalid = await requestJson(`${url}/auth/login`, { body: { code: forged, appid: TEST_APP.appid } });
  if (invalid.status === 200) throw new Error('login: a code WeChat never issued logged in');
}

export async function checkSimulator(simulatorUrl: string): Promise<void> {
  const [code = ''] = await mintCodes(simulatorUrl, 1);
  const query = new URLSearchParams({
    appid: TEST_APP.appid,
    secret: TEST_APP.secret,
    js_code: code,
    grant_type: 'authorization_code',
  });
  const response = await requestJson(`${simulatorUrl}/sns/jscode2session?${query}`);
  expectStatus('simulator jscode2session', response, 200);
  if (stringAt(response.body, 'openid') === undefined) {
    throw new Error(`simulator jscode2session: no openid in ${JSON.stringify(response.body)}`);
  }
}
