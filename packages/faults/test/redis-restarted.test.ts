import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_APP } from '@wxauth/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The real session manager of the mini-program and the client tests' fake WeChat side, from
// their source, as the client's own integration tests use them.
import { SessionManager } from '../../../apps/client/src/auth/session-manager';
import { FakePlatform } from '../../../apps/client/test/support/fake-platform';
import { fetchTransport } from '../../../apps/client/test/support/fetch-transport';
import { getWith, tally } from './support/http.js';
import { type FaultStack, startFaultStack } from './support/stack.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  await stack?.stop();
});

const CLIENTS = 6;

function miniProgram(user: string) {
  const who = { appid: TEST_APP.appid, user };
  const statuses: number[] = [];
  const platform = new FakePlatform({
    issueCode: () => stack.sim.login(who),
    checkSession: () => stack.sim.checkSession(who),
    request: async (request) => {
      const response = await fetchTransport(request);
      statuses.push(response.status);
      return response;
    },
  });
  return { manager: new SessionManager({ platform, baseUrl: stack.server.url }), platform, statuses };
}

describe('Redis killed and restarted empty under load', () => {
  it('answers 503 while Redis is down; then every client logs in again silently and none of its requests fails', async () => {
    const clients = Array.from({ length: CLIENTS }, (_, n) => miniProgram(`restarted-${n}`));
    await Promise.all(clients.map(({ manager }) => manager.signIn()));
    let stopAt = Number.POSITIVE_INFINITY;
    let answered = 0;
    const failures: unknown[] = [];
    const running = Promise.all(
      clients.map(async ({ manager }) => {
        while (Date.now() < stopAt) {
          await manager.session().then(
            () => {
              answered += 1;
            },
            (error: unknown) => failures.push(error),
          );
        }
      }),
    );

    await sleep(500);
    const token = await stack.login('restarted-probe');
    await stack.redis.kill();
    // While Redis is down the server answers 503 STORE_UNAVAILABLE (the clients back off and retry).
    const down = await getWith(`${stack.server.url}/auth/session`, token);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', action: { kind: 'retry' } } });
    await sleep(700);
    await stack.redis.restart();
    stopAt = Date.now() + 3000;
    await running;

    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(CLIENTS * 5);
    const seen = tally(clients.flatMap(({ statuses }) => statuses.map((status) => ({ status }))));
    // The outage was met (503s), the sessions were gone afterwards (401s), and each client logged
    // in again once, silently.
    expect(seen).toHaveProperty('503');
    expect(seen).toHaveProperty('401');
    expect(Object.keys(seen).sort()).toEqual(['200', '401', '503']);
    for (const { platform } of clients) expect(platform.wxLogins).toBe(2);
    // The stored sessions are gone: the probe's token too.
    expect((await getWith(`${stack.server.url}/auth/session`, token)).status).toBe(401);
  });
});
