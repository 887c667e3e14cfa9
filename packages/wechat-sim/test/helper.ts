import { buildSimulator, type Simulator, type SimulatorOptions, TEST_APP } from '../src/index.js';

export { TEST_APP };
export const { appid, secret } = TEST_APP;

export interface WeChatAnswer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
}

/** Tests move time with POST /sim/clock only, so edges (5 min minus 1 ms) are exact. */
export const FROZEN_NOW = Date.UTC(2026, 0, 1);

/** A fresh, in-process simulator per test: no port, no shared state, a frozen clock unless given one. */
export async function startSim(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = buildSimulator({ now: () => FROZEN_NOW, ...options });
  await sim.ready();
  return sim;
}

function toAnswer(response: { statusCode: number; headers: Record<string, unknown>; body: string }): WeChatAnswer {
  const parsed: unknown = JSON.parse(response.body);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`not a JSON object: ${response.body}`);
  return { status: response.statusCode, contentType: String(response.headers['content-type']), body: { ...parsed } };
}

export async function wechatGet(sim: Simulator, path: string, query: Record<string, string>): Promise<WeChatAnswer> {
  return toAnswer(await sim.inject({ method: 'GET', url: path, query }));
}

export async function wechatPost(
  sim: Simulator,
  path: string,
  body: unknown,
  query: Record<string, string> = {},
): Promise<WeChatAnswer> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return toAnswer(
    await sim.inject({ method: 'POST', url: path, query, payload, headers: { 'content-type': 'application/json' } }),
  );
}

export async function control(sim: Simulator, path: string, body?: object) {
  const response = await sim.inject(
    body === undefined ? { method: 'POST', url: path } : { method: 'POST', url: path, payload: body },
  );
  return { status: response.statusCode, body: response.json<Record<string, unknown>>(), headers: response.headers };
}

export async function login(sim: Simulator, user: string, app: string = appid): Promise<string> {
  const { body } = await control(sim, '/sim/login', { appid: app, user });
  if (typeof body['code'] !== 'string') throw new Error('no code');
  return body['code'];
}

export async function phoneCode(sim: Simulator, user: string): Promise<string> {
  const { body } = await control(sim, '/sim/phone-code', { appid, user });
  if (typeof body['code'] !== 'string') throw new Error('no code');
  return body['code'];
}

export function exchange(sim: Simulator, code: string, overrides: Record<string, string> = {}) {
  return wechatGet(sim, '/sns/jscode2session', {
    appid,
    secret,
    js_code: code,
    grant_type: 'authorization_code',
    ...overrides,
  });
}

export async function stableToken(sim: Simulator, forceRefresh = false): Promise<string> {
  const { body } = await wechatPost(sim, '/cgi-bin/stable_token', {
    grant_type: 'client_credential',
    appid,
    secret,
    force_refresh: forceRefresh,
  });
  if (typeof body['access_token'] !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body['access_token'];
}

export async function plainToken(sim: Simulator): Promise<string> {
  const { body } = await wechatGet(sim, '/cgi-bin/token', { grant_type: 'client_credential', appid, secret });
  if (typeof body['access_token'] !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body['access_token'];
}

export async function advance(sim: Simulator, ms: number): Promise<void> {
  await control(sim, '/sim/clock', { advanceMs: ms });
}

export function sessionKeyOf(answer: WeChatAnswer): string {
  const key = answer.body['session_key'];
  if (typeof key !== 'string') throw new Error(`no session_key: ${JSON.stringify(answer.body)}`);
  return key;
}
