import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIELD_BYTES, sessionId, userHandle } from '../../src/stores/user-key.js';
import type { SessionPolicy, SessionUser, UserStore } from '../../src/stores/user-store.js';

/** Short enough to test expiry for real (the Redis store's key TTLs run on Redis's clock). */
export const SUITE_POLICY: SessionPolicy = {
  idleMs: 400,
  maxAgeMs: 1200,
  maxPerUser: 3,
  expiredGraceMs: 400,
  slideStepMs: 40,
};

/**
 * For the tests that do not wait for a session to end: times a loaded CI machine cannot overrun
 * between two commands (the short ones above are for the tests that wait them out).
 */
const LIVE_POLICY: SessionPolicy = { ...SUITE_POLICY, idleMs: 60_000, maxAgeMs: 120_000, expiredGraceMs: 60_000 };

/** A user of the suite's own: no two tests (or runs) share one. */
export const newUser = (name: string, unionid?: string): SessionUser => {
  const user = { appid: 'wx0000000000000001', openid: `o-${name}-${randomBytes(6).toString('base64url')}` };
  return unionid === undefined ? user : { ...user, unionid };
};

/** A fresh session id of the user, as sessions.ts makes them (handle + 72 bits of a token's hash). */
export const freshId = (user: { appid: string; openid: string }) =>
  sessionId({ handle: userHandle(user.appid, user.openid), field: randomBytes(FIELD_BYTES).toString('base64url') });

const key = (text: string) => Buffer.from(text);

/**
 * The semantics every UserStore promises (src/stores/user-store.ts), run against each
 * implementation. `makeStore` gets a fresh namespace per test so tests never see each other's keys.
 */
export function describeUserStore(name: string, makeStore: (policy: SessionPolicy) => Promise<UserStore>) {
  describe(`${name} user store`, () => {
    let store: UserStore;
    let alice: SessionUser;
    let bob: SessionUser;
    /** The test waits for sessions to end: its store takes the suite's short times. */
    const withShortTimes = async () => {
      await store.close();
      store = await makeStore(SUITE_POLICY);
    };
    beforeEach(async () => {
      store = await makeStore(LIVE_POLICY);
      alice = newUser('alice', 'u-alice');
      bob = newUser('bob');
    });
    afterEach(async () => {
      await store.close();
    });

    describe('sessions', () => {
      it('finds a new session live, with its user and an idle deadline', async () => {
        const id = freshId(alice);
        const before = Date.now();
        await store.createSession(id, alice);
        const found = await store.touchSession(id);
        expect(found).toMatchObject({ state: 'live', user: alice });
        if (found?.state !== 'live') return;
        expect(found.createdAt).toBeGreaterThanOrEqual(before);
        expect(found.expiresAt).toBeGreaterThanOrEqual(before + LIVE_POLICY.idleMs);
        expect(found.expiresAt).toBeLessThanOrEqual(Date.now() + LIVE_POLICY.idleMs);
      });

      it('keeps a user without unionid without one', async () => {
        const id = freshId(bob);
        await store.createSession(id, bob);
        const found = await store.touchSession(id);
        expect(found?.state === 'live' && found.user).toStrictEqual(bob);
      });

      it('keeps the unionid the latest login brought', async () => {
        const [a, b] = [freshId(bob), freshId(bob)];
        await store.createSession(a, bob);
        await store.createSession(b, { ...bob, unionid: 'u-bob' });
        const found = await store.touchSession(a);
        expect(found?.state === 'live' && found.user).toStrictEqual({ ...bob, unionid: 'u-bob' });
      });

      it('misses an unknown session with null, and an id that is not one', async () => {
        expect(await store.touchSession(freshId(alice))).toBeNull();
        await store.createSession(freshId(alice), alice);
        expect(await store.touchSession(freshId(alice))).toBeNull();
        for (const id of ['', 'garbage', `${freshId(alice)}x`]) {
          expect(await store.touchSession(id)).toBeNull();
          expect(await store.deleteSession(id)).toBeNull();
        }
      });

      it('refuses to create a session whose id names another user', async () => {
        await expect(async () => store.createSession(freshId(bob), alice)).rejects.toThrow(TypeError);
        await expect(async () => store.createSession('garbage', alice)).rejects.toThrow(TypeError);
      });

      it('reports an idle session as expired, then forgets it after the grace period', async () => {
        await withShortTimes();
        const id = freshId(alice);
        await store.createSession(id, alice);
        await sleep(SUITE_POLICY.idleMs + 80);
        expect(await store.touchSession(id)).toEqual({ state: 'expired' });
        await sleep(SUITE_POLICY.expiredGraceMs + 80);
        expect(await store.touchSession(id)).toBeNull();
      });

      it('slides the idle timeout on every touch', async () => {
        await withShortTimes();
        const { idleMs, slideStepMs } = SUITE_POLICY;
        // A touch answered less than idle − one slide step after the previous one was sent must
        // find the session live. A starved CI machine can stall longer than that between two
        // touches (it did: 200 ms sleeps became 400); such a run proves nothing, so run again.
        for (let run = 0; run < 5; run++) {
          const id = freshId(alice);
          const created = Date.now();
          await store.createSession(id, alice);
          let previous = created;
          let clean = true;
          while (clean && Date.now() - created < 2 * idleMs) {
            await sleep(idleMs / 2);
            const sent = Date.now();
            const state = (await store.touchSession(id))?.state;
            if (Date.now() - previous < idleMs - slideStepMs) expect(state).toBe('live');
            else clean = false;
            previous = sent;
          }
          if (clean) return;
        }
        throw new Error('every run stalled longer than the idle timeout between two touches');
      });

      it('keeps an idled-out session expired however often it is read', async () => {
        await withShortTimes();
        const id = freshId(alice);
        await store.createSession(id, alice);
        await sleep(SUITE_POLICY.idleMs + 40);
        for (let i = 0; i < 3; i++) {
          expect(await store.touchSession(id)).toEqual({ state: 'expired' });
          await sleep(SUITE_POLICY.expiredGraceMs / 8);
        }
        await sleep(SUITE_POLICY.expiredGraceMs);
        expect(await store.touchSession(id)).toBeNull();
      });

      it('records a use at most once per slide step', async () => {
        const id = freshId(alice);
        await store.createSession(id, alice);
        const first = await store.touchSession(id);
        const second = await store.touchSession(id);
        if (first?.state !== 'live' || second?.state !== 'live') throw new Error('the session should be live');
        // Either the second touch found the use recorded less than a step ago and wrote nothing,
        // or a full step had passed (a slow machine) and it recorded its own.
        const moved = second.expiresAt - first.expiresAt;
        expect(moved === 0 || moved >= SUITE_POLICY.slideStepMs).toBe(true);
        await sleep(SUITE_POLICY.slideStepMs + 20);
        const third = await store.touchSession(id);
        expect(third?.state === 'live' && third.expiresAt).toBeGreaterThanOrEqual(
          second.expiresAt + SUITE_POLICY.slideStepMs,
        );
      });

      it('ends a session at its absolute deadline however often it is used', async () => {
        await withShortTimes();
        const id = freshId(alice);
        await store.createSession(id, alice);
        const deadline = Date.now() + SUITE_POLICY.maxAgeMs;
        let last: string | undefined;
        while (Date.now() < deadline + 150) {
          const found = await store.touchSession(id);
          if (found?.state === 'live') expect(found.expiresAt).toBeLessThanOrEqual(deadline + 20);
          last = found?.state;
          await sleep(SUITE_POLICY.idleMs / 3);
        }
        expect(last).toBe('expired');
      });

      it('does not bring back a session ended while a use was being recorded', async () => {
        const id = freshId(alice);
        await store.createSession(id, alice);
        await sleep(SUITE_POLICY.slideStepMs + 10);
        await Promise.all([store.touchSession(id), store.deleteSession(id)]);
        expect(await store.touchSession(id)).toBeNull();
      });

      it('ends one session at once and returns its user', async () => {
        const [a, b] = [freshId(alice), freshId(alice)];
        await store.createSession(a, alice);
        await store.createSession(b, alice);
        expect(await store.deleteSession(a)).toStrictEqual(alice);
        expect(await store.touchSession(a)).toBeNull();
        expect((await store.touchSession(b))?.state).toBe('live');
        expect(await store.deleteSession(a)).toBeNull();
      });

      it("ends every session of a user and nobody else's", async () => {
        const ids = [freshId(alice), freshId(alice)];
        for (const id of ids) await store.createSession(id, alice);
        const other = freshId(bob);
        await store.createSession(other, bob);
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(2);
        for (const id of ids) expect(await store.touchSession(id)).toBeNull();
        expect((await store.touchSession(other))?.state).toBe('live');
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(0);
      });

      it('does not count a logged-out session, or one ended long ago, in logout-all', async () => {
        await withShortTimes();
        const [a, b] = [freshId(alice), freshId(alice)];
        await store.createSession(a, alice);
        await store.createSession(b, alice);
        await store.deleteSession(a);
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(1);
        await store.createSession(freshId(alice), alice);
        await sleep(SUITE_POLICY.idleMs + SUITE_POLICY.expiredGraceMs + 40);
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(0);
      });

      it('evicts the oldest sessions beyond the per-user cap', async () => {
        const ids = Array.from({ length: SUITE_POLICY.maxPerUser + 2 }, () => freshId(alice));
        const evicted: number[] = [];
        for (const id of ids) evicted.push((await store.createSession(id, alice)).evicted);
        expect(evicted).toEqual([0, 0, 0, 1, 1]);
        const states = await Promise.all(ids.map(async (id) => (await store.touchSession(id))?.state ?? null));
        expect(states).toEqual([null, null, 'live', 'live', 'live']);
      });

      it("forgets sessions ended long ago at the user's next login, so they leave the cap", async () => {
        await withShortTimes();
        const old = [freshId(alice), freshId(alice), freshId(alice)];
        for (const id of old) await store.createSession(id, alice);
        await sleep(SUITE_POLICY.idleMs + SUITE_POLICY.expiredGraceMs + 40);
        expect((await store.createSession(freshId(alice), alice)).evicted).toBe(0);
      });

      it('keeps users of different apps apart', async () => {
        const other = { ...alice, appid: 'wx0000000000000002' };
        const [a, b] = [freshId(alice), freshId(other)];
        await store.createSession(a, alice);
        await store.createSession(b, other);
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(1);
        expect(await store.touchSession(b)).toMatchObject({ state: 'live', user: other });
      });
    });

    describe("a user's session_key", () => {
      const secretsOf = (user: SessionUser) => store.getUserSecrets(user.appid, user.openid);

      it('is null until a login brings one, then that one', async () => {
        expect(await secretsOf(alice)).toBeNull();
        await store.createSession(freshId(alice), alice);
        expect(await secretsOf(alice)).toBeNull();
        await store.createSession(freshId(alice), alice, key('key1'));
        expect(await secretsOf(alice)).toEqual({ current: key('key1'), previous: null });
        expect(await secretsOf(bob)).toBeNull();
      });

      it('keeps the one a new login replaced as the previous', async () => {
        await store.createSession(freshId(alice), alice, key('key1'));
        await store.createSession(freshId(alice), alice, key('key2'));
        expect(await secretsOf(alice)).toEqual({ current: key('key2'), previous: key('key1') });
        await store.createSession(freshId(alice), alice, key('key3'));
        expect(await secretsOf(alice)).toEqual({ current: key('key3'), previous: key('key2') });
        // A session without a login's key leaves them alone.
        await store.createSession(freshId(alice), alice);
        expect(await secretsOf(alice)).toEqual({ current: key('key3'), previous: key('key2') });
      });

      it('keeps the older previous when a login brings the same one again', async () => {
        await store.createSession(freshId(alice), alice, key('key1'));
        await store.createSession(freshId(alice), alice, key('key2'));
        await store.createSession(freshId(alice), alice, key('key2'));
        expect(await secretsOf(alice)).toEqual({ current: key('key2'), previous: key('key1') });
      });

      it("lives beside the user's sessions without disturbing them, through logout and logout-all", async () => {
        const [a, b] = [freshId(alice), freshId(alice)];
        await store.createSession(a, alice, key('first'));
        await store.createSession(b, alice);
        expect(await store.deleteSession(a)).toStrictEqual(alice);
        expect((await store.touchSession(b))?.state).toBe('live');
        expect((await secretsOf(alice))?.current).toEqual(key('first'));
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(1);
        expect((await secretsOf(alice))?.current).toEqual(key('first'));
      });

      it('lives as long as the longest session can', async () => {
        await withShortTimes();
        await store.createSession(freshId(alice), alice, key('short'));
        await sleep(SUITE_POLICY.maxAgeMs + SUITE_POLICY.expiredGraceMs + 100);
        expect(await secretsOf(alice)).toBeNull();
      });
    });

    it("names each user's record apart", () => {
      const name = (user: SessionUser) => store.userRecordName(userHandle(user.appid, user.openid));
      expect(name(alice)).not.toBe(name(bob));
      expect(name(alice)).not.toContain(alice.openid);
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
