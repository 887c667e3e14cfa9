import type { SessionResponse } from '@wxauth/contracts';
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../src/api/typed-api';
import { type Attempt, type Call, failed, ok, RetryExecutor } from '../src/auth/retry-executor';
import { SessionError } from '../src/auth/session-error';
import { errorReply } from './support/fake-server';
import { rejection } from './support/rejection';

const live: SessionResponse = { user: { openid: 'o-1' }, expiresIn: 60 };

/** An executor whose transport answers from `replies` in order ('no-answer' rejects) and records its waits. */
function setup(replies: (HttpResponse | 'no-answer')[]) {
  const sleeps: number[] = [];
  let sent = 0;
  const executor = new RetryExecutor({
    transport: async () => {
      const reply = replies[sent] ?? { status: 200, body: live };
      sent += 1;
      if (reply === 'no-answer') throw new Error('request:fail timeout');
      return reply;
    },
    baseUrl: 'http://wxauth.test',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  const attempts: Attempt[] = [];
  let relogins = 0;
  const call: Call<SessionResponse> = {
    route: 'session',
    send: async (api, attempt) => {
      attempts.push(attempt);
      const reply = await api.session({ token: 't' });
      return reply.status === 200 ? ok(reply.body) : failed(reply);
    },
    relogin: () => {
      relogins += 1;
    },
  };
  return { executor, call, sleeps, attempts, relogins: () => relogins, sent: () => sent };
}

const expired = errorReply(401, 'SESSION_EXPIRED', { action: { kind: 'relogin' } });

describe('retry executor', () => {
  it('a first success is returned as is, with no wait', async () => {
    const { executor, call, sleeps, attempts } = setup([]);
    await expect(executor.run(call)).resolves.toEqual(live);
    expect(attempts).toEqual(['first']);
    expect(sleeps).toEqual([]);
  });

  it('a 401 asks the caller to log in again once, then replays once', async () => {
    const { executor, call, attempts, relogins } = setup([expired]);
    await expect(executor.run(call)).resolves.toEqual(live);
    expect(relogins()).toBe(1);
    expect(attempts).toEqual(['first', 'after-refusal']);
  });

  it("a second 401 is a typed error carrying the server's code and action", async () => {
    const { executor, call, relogins } = setup([expired, expired]);
    const error = await rejection(executor.run(call));
    expect(error).toMatchObject({
      kind: 'server',
      route: 'session',
      status: 401,
      code: 'SESSION_EXPIRED',
      action: { kind: 'relogin' },
    });
    expect(relogins()).toBe(1);
  });

  it.each([
    [
      'the afterSeconds of the action',
      errorReply(429, 'RATE_LIMITED', { action: { kind: 'retry', afterSeconds: 3 } }),
      3000,
    ],
    ['Retry-After', { ...errorReply(429, 'RATE_LIMITED'), headers: { 'retry-after': '2' } }, 2000],
    [
      'one second when neither is usable',
      { ...errorReply(429, 'RATE_LIMITED'), headers: { 'retry-after': '5.5' } },
      1000,
    ],
  ])('a 429 waits %s, once', async (_, reply, ms) => {
    const { executor, call, sleeps } = setup([reply]);
    await executor.run(call);
    expect(sleeps).toEqual([ms]);
  });

  it('a wait longer than the executor waits itself goes to the caller at once', async () => {
    const { executor, call, sleeps } = setup([
      errorReply(429, 'RATE_LIMITED', { action: { kind: 'retry', afterSeconds: 120 } }),
    ]);
    expect(await rejection(executor.run(call))).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 120 });
    expect(sleeps).toEqual([]);
  });

  it('no answer backs off with growing delays, resends, and after three retries is a network error', async () => {
    const { executor, call, sleeps, attempts } = setup(['no-answer', 'no-answer', 'no-answer', 'no-answer']);
    expect(await rejection(executor.run(call))).toMatchObject({ kind: 'network', route: 'session' });
    // random() = 0.5 → 3/4 of 400, 800, 1600 ms.
    expect(sleeps).toEqual([300, 600, 1200]);
    expect(attempts).toEqual(['first', 'after-no-answer', 'after-no-answer', 'after-no-answer']);
  });

  it('a proxy error page (a reply outside the contract) is an outage and is retried', async () => {
    const { executor, call, sent } = setup([{ status: 504, body: '<html>Gateway Timeout</html>' }]);
    await expect(executor.run(call)).resolves.toEqual(live);
    expect(sent()).toBe(2);
  });

  it('a refusal that nothing can help (give-up) is a typed error at once', async () => {
    const { executor, call, sent } = setup([errorReply(403, 'USER_BLOCKED', { action: { kind: 'give-up' } })]);
    expect(await rejection(executor.run(call))).toMatchObject({ kind: 'server', code: 'USER_BLOCKED' });
    expect(sent()).toBe(1);
  });

  it("the caller's own error from send ends the call untouched", async () => {
    const { executor } = setup([]);
    const boom = new Error('user cancelled');
    await expect(executor.run({ route: 'decrypt', send: () => Promise.reject(boom) })).rejects.toBe(boom);
  });

  it('check() ends the call before a retry and before a wait, so nothing more is sent', async () => {
    const { executor, call, sleeps, sent } = setup([errorReply(503, 'STORE_UNAVAILABLE')]);
    let checks = 0;
    const stop = new SessionError('signed-out', 'session');
    const checked: Call<SessionResponse> = {
      ...call,
      check: () => {
        checks += 1;
        if (checks > 1) throw stop;
      },
    };
    await expect(executor.run(checked)).rejects.toBe(stop);
    expect(sent()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('once() sends a single time and reports a refusal without recovering', async () => {
    const { executor } = setup([expired]);
    const outcome = await executor.once(async (api) => {
      const reply = await api.logout({ token: 't' });
      return reply.status === 204 ? ok(null) : failed(reply);
    });
    expect(outcome).toMatchObject({ ok: false, failure: { status: 401 } });
  });
});
