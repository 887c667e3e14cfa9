import type { SimFaultBody } from '@wxauth/wechat-sim';
import { TEST_APP } from '@wxauth/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, postJson } from './support/http.js';
import { type FaultStack, startFaultStack } from './support/stack.js';

const TIMEOUT_MS = 1000;
let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ WECHAT_TIMEOUT_MS: String(TIMEOUT_MS) });
});
afterAll(async () => {
  await stack?.stop();
});

// A call that spends a code gets one quick retry (packages/wechat): two upstream timeouts at most,
// with room for a loaded CI machine.
const UPSTREAM_BOUND_MS = 2 * TIMEOUT_MS + 1500;

type Fault = SimFaultBody['fault'];
const faults: [string, Fault][] = [
  ['hanging', { kind: 'hang', ms: 10_000 }],
  ['answering 5xx', { kind: 'http-error', status: 502 }],
  ['answering HTML', { kind: 'html' }],
  ['answering -1', { kind: 'system-busy' }],
  ['answering broken JSON', { kind: 'malformed-json' }],
];

function expectContractError(answer: Answer, expected: { status: number[]; code: string; action: string }) {
  expect(expected.status).toContain(answer.status);
  const body: unknown = JSON.parse(answer.body);
  expect(body).toMatchObject({ error: { code: expected.code, action: { kind: expected.action } } });
  expect(answer.ms).toBeLessThan(UPSTREAM_BOUND_MS);
}

let users = 0;
const who = () => ({ appid: TEST_APP.appid, user: `upstream-${++users}` });

describe('the WeChat simulator failing', () => {
  it.each(faults)('%s: a login gets UPSTREAM_UNAVAILABLE with relogin, never a 500', async (_name, fault) => {
    await stack.sim.reset();
    const code = await stack.sim.login(who());
    await stack.sim.fault({ endpoint: '/sns/jscode2session', fault, times: 5 });
    const answer = await postJson(`${stack.server.url}/auth/login`, { code });
    expectContractError(answer, { status: [502, 503], code: 'UPSTREAM_UNAVAILABLE', action: 'relogin' });
  });

  it.each(faults)('%s: a phone number gets UPSTREAM_UNAVAILABLE with retry, never a 500', async (_name, fault) => {
    await stack.sim.reset();
    const user = who();
    const token = await stack.login(user.user);
    const code = await stack.sim.phoneCode(user);
    await stack.sim.fault({ endpoint: '/wxa/business/getuserphonenumber', fault, times: 5 });
    const answer = await postJson(`${stack.server.url}/auth/phone`, { code }, token);
    expectContractError(answer, { status: [502, 503], code: 'UPSTREAM_UNAVAILABLE', action: 'retry' });
  });

  it('its token endpoint hanging: a phone number gets UPSTREAM_UNAVAILABLE in time', async () => {
    await stack.sim.reset();
    const user = who();
    const token = await stack.login(user.user);
    const code = await stack.sim.phoneCode(user);
    await stack.sim.fault({ endpoint: '/cgi-bin/stable_token', fault: { kind: 'hang', ms: 10_000 }, times: 5 });
    const answer = await postJson(`${stack.server.url}/auth/phone`, { code }, token);
    expect([502, 503]).toContain(answer.status);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
  });
});
