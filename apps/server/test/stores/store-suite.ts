import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionPolicy, Store } from '../../src/stores/store.js';

/** Short enough to test expiry for real (the Redis store's TTLs run on Redis's clock). */
export const SUITE_POLICY: SessionPolicy = {
  idleMs: 400,
  maxAgeMs: 1200,
  maxPerUser: 3,
  expiredGraceMs: 400,
  slideStepMs: 40,
};

const alice = { appid: 'wx0000000000000001', openid: 'o-alice', unionid: 'u-alice' };
const bob = { appid: 'wx0000000000000001', openid: 'o-bob' };

let counter = 0;
const freshId = () => `id-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

/**
 * The semantics every Store promises (src/stores/store.ts), run against each implementation.
 * `makeStore` gets a fresh namespace per test so tests never see each other's keys.
 */
export function describeStore(name: string, makeStore: (policy: SessionPolicy) => Promise<Store>) {
  describe(`${name} store`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore(SUITE_POLICY);
    });
    afterEach(async () => {
      await store.close();
    });

    describe('sessions', () => {
      it('finds a new session live, with its user and an idle deadline', async () => {
        const id = freshId();
        const before = Date.now();
        await store.createSession(id, alice);
        const found = await store.touchSession(id);
        expect(found).toMatchObject({ state: 'live', user: alice });
        if (found?.state !== 'live') return;
        expect(found.createdAt).toBeGreaterThanOrEqual(before);
        expect(found.expiresAt).toBeGreaterThanOrEqual(before + SUITE_POLICY.idleMs);
        expect(found.expiresAt).toBeLessThanOrEqual(Date.now() + SUITE_POLICY.idleMs);
      });

      it('keeps a user without unionid without one', async () => {
        const id = freshId();
        await store.createSession(id, bob);
        const found = await store.touchSession(id);
        expect(found?.state === 'live' && found.user).toStrictEqual(bob);
      });

      it('misses an unknown session with null', async () => {
        expect(await store.touchSession(freshId())).toBeNull();
      });

      it('reports an idle session as expired, then forgets it after the grace period', async () => {
        const id = freshId();
        await store.createSession(id, alice);
        await sleep(SUITE_POLICY.idleMs + 80);
        expect(await store.touchSession(id)).toEqual({ state: 'expired' });
        await sleep(SUITE_POLICY.expiredGraceMs + 80);
        expect(await store.touchSession(id)).toBeNull();
      });

      it('slides the idle timeout on every touch', async () => {
        const id = freshId();
        await store.createSession(id, alice);
        for (let i = 0; i < 4; i++) {
          await sleep(SUITE_POLICY.idleMs / 2);
          expect((await store.touchSession(id))?.state).toBe('live');
        }
      });

      it('keeps an idled-out session expired however often it is read', async () => {
        const id = freshId();
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
        const id = freshId();
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
        const id = freshId();
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

      it('ends one session at once and returns its user', async () => {
        const [a, b] = [freshId(), freshId()];
        await store.createSession(a, alice);
        await store.createSession(b, alice);
        expect(await store.deleteSession(a)).toStrictEqual(alice);
        expect(await store.touchSession(a)).toBeNull();
        expect((await store.touchSession(b))?.state).toBe('live');
        expect(await store.deleteSession(a)).toBeNull();
      });

      it("ends every session of a user and nobody else's", async () => {
        const ids = [freshId(), freshId()];
        for (const id of ids) await store.createSession(id, alice);
        const other = freshId();
        await store.createSession(other, bob);
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(2);
        for (const id of ids) expect(await store.touchSession(id)).toBeNull();
        expect((await store.touchSession(other))?.state).toBe('live');
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(0);
      });

      it('does not count a logged-out session in logout-all', async () => {
        const [a, b] = [freshId(), freshId()];
        await store.createSession(a, alice);
        await store.createSession(b, alice);
        await store.deleteSession(a);
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(1);
      });

      it('evicts the oldest sessions beyond the per-user cap', async () => {
        const ids = Array.from({ length: SUITE_POLICY.maxPerUser + 2 }, freshId);
        const evicted: number[] = [];
        for (const id of ids) evicted.push((await store.createSession(id, alice)).evicted);
        expect(evicted).toEqual([0, 0, 0, 1, 1]);
        const states = await Promise.all(ids.map(async (id) => (await store.touchSession(id))?.state ?? null));
        expect(states).toEqual([null, null, 'live', 'live', 'live']);
      });

      it('keeps users of different apps apart', async () => {
        const [a, b] = [freshId(), freshId()];
        await store.createSession(a, alice);
        await store.createSession(b, { ...alice, appid: 'wx0000000000000002' });
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(1);
        expect((await store.touchSession(b))?.state).toBe('live');
      });
    });

    describe("a user's secret", () => {
      const secretOf = (user: { appid: string; openid: string }) => store.getUserSecret(user.appid, user.openid);

      it('is null until a login brings one, then that one', async () => {
        expect(await secretOf(alice)).toBeNull();
        await store.createSession(freshId(), alice);
        expect(await secretOf(alice)).toBeNull();
        expect(await store.createSession(freshId(), alice, 'p:key1')).toEqual({ evicted: 0, replacedSecret: null });
        expect(await secretOf(alice)).toBe('p:key1');
        expect(await secretOf(bob)).toBeNull();
      });

      it('keeps the one a new login replaced as the previous, and returns what it replaced', async () => {
        await store.createSession(freshId(), alice, 'p:key1');
        expect((await store.createSession(freshId(), alice, 'p:key2')).replacedSecret).toBe('p:key1');
        expect(await secretOf(alice)).toBe('p:key2 p:key1');
        expect((await store.createSession(freshId(), alice, 'p:key3')).replacedSecret).toBe('p:key2 p:key1');
        expect(await secretOf(alice)).toBe('p:key3 p:key2');
        // A session without a login's secret leaves it alone.
        await store.createSession(freshId(), alice);
        expect(await secretOf(alice)).toBe('p:key3 p:key2');
      });

      it('keeps the older previous when a login brings the same one again', async () => {
        await store.createSession(freshId(), alice, 'p:key1');
        await store.createSession(freshId(), alice, 'p:key2');
        await store.createSession(freshId(), alice, 'p:key2');
        expect(await secretOf(alice)).toBe('p:key2 p:key1');
      });

      it('sets the previous only while the current one is still current', async () => {
        await store.createSession(freshId(), alice, 'e:one');
        await store.createSession(freshId(), alice, 'e:two');
        expect(await store.setPreviousSecret(alice.appid, alice.openid, 'e:two', 'e:zero')).toBe(true);
        expect(await secretOf(alice)).toBe('e:two e:zero');
        expect(await store.setPreviousSecret(alice.appid, alice.openid, 'e:two', null)).toBe(true);
        expect(await secretOf(alice)).toBe('e:two');
        expect(await store.setPreviousSecret(alice.appid, alice.openid, 'e:one', 'e:zero')).toBe(false);
        expect(await secretOf(alice)).toBe('e:two');
        expect(await store.setPreviousSecret(bob.appid, bob.openid, 'e:two', null)).toBe(false);
        expect(await secretOf(bob)).toBeNull();
      });

      it("lives beside the user's sessions without disturbing them", async () => {
        const [a, b] = [freshId(), freshId()];
        await store.createSession(a, alice, 'p:first');
        await store.createSession(b, alice);
        expect(await store.deleteSession(a)).toStrictEqual(alice);
        expect((await store.touchSession(b))?.state).toBe('live');
        expect(await secretOf(alice)).toBe('p:first');
        expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(1);
        expect(await secretOf(alice)).toBe('p:first');
      });

      it('lives as long as the longest session can', async () => {
        await store.createSession(freshId(), alice, 'p:short');
        await sleep(SUITE_POLICY.maxAgeMs + SUITE_POLICY.expiredGraceMs + 100);
        expect(await secretOf(alice)).toBeNull();
      });

      it.each(['a#b', 'a b', ''])("refuses a secret with the record's separators (%j)", async (secret) => {
        await expect(async () => store.createSession(freshId(), alice, secret)).rejects.toThrow(TypeError);
        await expect(async () => store.setPreviousSecret(alice.appid, alice.openid, 'p:x', secret)).rejects.toThrow(
          TypeError,
        );
        expect(await secretOf(alice)).toBeNull();
      });
    });

    describe('values', () => {
      it('gets what was set, null for a miss', async () => {
        await store.set('k', 'v', 10_000);
        expect(await store.get('k')).toBe('v');
        expect(await store.get('missing')).toBeNull();
      });

      it('forgets a value after its TTL', async () => {
        await store.set('k', 'v', 100);
        await sleep(160);
        expect(await store.get('k')).toBeNull();
      });

      it('sets if absent only once', async () => {
        expect(await store.setIfAbsent('k', 'first', 10_000)).toBe(true);
        expect(await store.setIfAbsent('k', 'second', 10_000)).toBe(false);
        expect(await store.get('k')).toBe('first');
      });

      it('sets if absent again once the first has expired', async () => {
        expect(await store.setIfAbsent('k', 'first', 80)).toBe(true);
        await sleep(140);
        expect(await store.setIfAbsent('k', 'second', 10_000)).toBe(true);
      });

      it('deletes only while the value is still ours', async () => {
        await store.set('lock', 'mine', 10_000);
        expect(await store.deleteIfEquals('lock', 'theirs')).toBe(false);
        expect(await store.get('lock')).toBe('mine');
        expect(await store.deleteIfEquals('lock', 'mine')).toBe(true);
        expect(await store.get('lock')).toBeNull();
      });

      it('deletes', async () => {
        await store.set('k', 'v', 10_000);
        await store.delete('k');
        await store.delete('k');
        expect(await store.get('k')).toBeNull();
      });
    });

    it('names records as they are kept, the user record apart from any other', () => {
      expect(store.recordName('at:wx0000000000000001')).toMatch(/at:wx0000000000000001$/);
      expect(store.userRecordName(alice.appid, alice.openid)).not.toBe(store.userRecordName(bob.appid, bob.openid));
      expect(store.userRecordName(alice.appid, alice.openid)).toContain(alice.openid);
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
