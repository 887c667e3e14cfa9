import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_APP } from '@wxauth/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWith, postJson, tally } from './support/http.js';
import { type FaultStack, startFaultStack } from './support/stack.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ LOG_LEVEL: 'info' });
});
afterAll(async () => {
  await stack?.stop();
});

// server.ts: close-with-grace's delay, after which a shutdown that has not finished exits 1.
const GRACE_MS = 10_000;
const SLOW_UPSTREAM_MS = 1500;
const LOGINS = 10;
const CHECKS = 40;

describe('SIGTERM during a burst with slow upstream logins in flight', () => {
  it('answers every request that reached the server, then exits 0 within the grace delay', async () => {
    const url = stack.server.url;
    const token = await stack.login('sigterm-reader');
    const codes = await Promise.all(
      Array.from({ length: LOGINS }, (_, n) => stack.sim.login({ appid: TEST_APP.appid, user: `sigterm-${n}` })),
    );
    const before = (await stack.sim.calls())['/sns/jscode2session'];
    await stack.sim.fault({
      endpoint: '/sns/jscode2session',
      fault: { kind: 'hang', ms: SLOW_UPSTREAM_MS },
      times: LOGINS,
    });
    const logins = codes.map((code) => postJson(`${url}/auth/login`, { code }));
    const checks = Array.from({ length: CHECKS }, () => getWith(`${url}/auth/session`, token));
    // Every login has reached WeChat (the server holds them all in flight) before the signal.
    while ((await stack.sim.calls())['/sns/jscode2session'] - before < LOGINS) await sleep(20);
    const signalled = Date.now();
    stack.server.kill('SIGTERM');

    const answers = await Promise.all([...logins, ...checks]);
    const code = await stack.server.exited;
    const exitedAfter = Date.now() - signalled;

    expect(tally(answers)).toEqual({ 200: LOGINS + CHECKS });
    expect(code).toBe(0);
    expect(exitedAfter).toBeLessThan(GRACE_MS);
    expect(stack.server.output()).toMatch(/shutting down/);
    // Stopped accepting: nothing listens any more.
    expect((await getWith(`${url}/healthz`, token)).status).toBe(0);
  });
});
