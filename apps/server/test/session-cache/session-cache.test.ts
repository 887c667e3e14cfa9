import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionRead } from '../../src/session-cache/session-cache.js';
import { SessionCache } from '../../src/session-cache/session-cache.js';
import type { SessionPolicy } from '../../src/stores/user-store.js';

const policy: SessionPolicy = {
  idleMs: 10_000,
  maxAgeMs: 30_000,
  maxPerUser: 10,
  expiredGraceMs: 10_000,
  slideStepMs: 1000,
};
const T0 = 1_000_000;
const record = (openid: string, createdAt = T0, lastSeen = createdAt): SessionRead => ({
  user: { appid: 'wx0000000000000001', openid },
  createdAt,
  lastSeen,
});

function liveCache(size = 100) {
  const cache = new SessionCache({ size, policy });
  cache.liveUntilTime(Number.MAX_SAFE_INTEGER);
  return cache;
}

/** Reads `id` from key `key` as the store does: a ticket before the read, the record after it. */
function read(cache: SessionCache, id: string, key = `s:${id}`, value = record(id)) {
  cache.fill(cache.beginRead(key), id, value);
}

describe('SessionCache', () => {
  it('answers a session it read, with the idle deadline of the read', () => {
    const cache = liveCache();
    read(cache, 'a');
    expect(cache.lookup('a', T0 + 500)).toEqual({
      state: 'live',
      id: 'a',
      user: record('a').user,
      createdAt: T0,
      expiresAt: T0 + policy.idleMs,
    });
    expect(cache.counters).toMatchObject({ hits: 1, misses: 0 });
  });

  it('sends a check due its slide write-back, and one past either deadline, to Redis', () => {
    const cache = liveCache();
    read(cache, 'slide');
    expect(cache.lookup('slide', T0 + policy.slideStepMs)).toBeUndefined();
    read(cache, 'idle', 's:idle', record('idle', T0, T0));
    expect(cache.lookup('idle', T0 + policy.idleMs)).toBeUndefined();
    // Used a moment ago, but created longer ago than the absolute lifetime.
    const old = T0 - policy.maxAgeMs;
    read(cache, 'deadline', 's:deadline', record('deadline', old, T0 - 10));
    expect(cache.lookup('deadline', T0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used session beyond its size', () => {
    const cache = liveCache(4);
    for (const id of ['a', 'b', 'c', 'd']) read(cache, id);
    // 'a' is used again once it is in the older half: it moves behind the others.
    read(cache, 'e');
    expect(cache.lookup('a', T0)).toBeUndefined();
    expect(cache.lookup('b', T0)).toBeDefined();
    read(cache, 'f');
    expect(cache.lookup('c', T0)).toBeUndefined();
    expect([...'bdef'].map((id) => cache.lookup(id, T0) !== undefined)).toEqual([true, true, true, true]);
    expect(cache.size).toBe(4);
  });

  it('evicts every session read from a key when Redis invalidates the key', () => {
    const cache = liveCache();
    read(cache, 'a', 'u:alice');
    read(cache, 'b', 'u:alice');
    read(cache, 'c', 'u:carol');
    cache.invalidate('u:alice');
    expect(cache.lookup('a', T0)).toBeUndefined();
    expect(cache.lookup('b', T0)).toBeUndefined();
    expect(cache.lookup('c', T0)).toBeDefined();
    expect(cache.counters.invalidations).toBe(2);
  });

  it('keeps no reply whose invalidation overtook it', () => {
    const cache = liveCache();
    const ticket = cache.beginRead('s:a');
    cache.invalidate('s:a');
    cache.fill(ticket, 'a', record('a'));
    expect(cache.lookup('a', T0)).toBeUndefined();
    // The next read, sent after the invalidation, is kept.
    read(cache, 'a');
    expect(cache.lookup('a', T0)).toBeDefined();
  });

  it('keeps no reply sent before a flush or while suspended, and answers nothing while suspended', () => {
    const cache = liveCache();
    const beforeFlush = cache.beginRead('s:a');
    cache.flush();
    cache.fill(beforeFlush, 'a', record('a'));
    expect(cache.size).toBe(0);

    const beforeSuspend = cache.beginRead('s:b');
    read(cache, 'c');
    cache.suspend();
    cache.fill(beforeSuspend, 'b', record('b'));
    read(cache, 'd');
    expect(cache.size).toBe(0);
    expect(cache.lookup('c', T0)).toBeUndefined();

    // Live again: a read sent while suspended still does not count.
    const whileSuspended = cache.beginRead('s:e');
    cache.liveUntilTime(T0 + 1000);
    cache.fill(whileSuspended, 'e', record('e'));
    expect(cache.size).toBe(0);
    read(cache, 'e');
    expect(cache.lookup('e', T0)).toBeDefined();
    // The lease ran out: no hit, though the entry is there until the heartbeat empties the cache.
    expect(cache.lookup('e', T0 + 1000)).toBeUndefined();
  });

  it('takes back a hit that an invalidation turned into a miss before it was confirmed', () => {
    const cache = liveCache();
    read(cache, 'a');
    const hit = cache.lookup('a', T0);
    if (hit === undefined) throw new Error('expected a hit');
    cache.invalidate('s:a');
    expect(cache.confirm(hit)).toBe(false);
    expect(cache.counters).toMatchObject({ hits: 0, misses: 1 });
  });

  it('never answers for a key invalidated after its last read began, whatever the interleaving', () => {
    type Step =
      | { kind: 'begin'; id: number }
      | { kind: 'end'; ticket: number }
      | { kind: 'invalidate'; id: number }
      | { kind: 'flush' };
    const id = fc.integer({ min: 0, max: 3 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      id.map((n) => ({ kind: 'begin' as const, id: n })),
      fc.nat(20).map((n) => ({ kind: 'end' as const, ticket: n })),
      id.map((n) => ({ kind: 'invalidate' as const, id: n })),
      fc.constant({ kind: 'flush' as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const cache = liveCache(3);
        // The model: a session may be answered only after a read that began after its key's last
        // invalidation and the last flush has ended, and until the next of either.
        let clock = 0;
        const changedAt = new Map<number, number>();
        let flushedAt = -1;
        const good = new Set<number>();
        const open: { id: number; ticket: ReturnType<SessionCache['beginRead']>; at: number }[] = [];
        for (const s of steps) {
          clock++;
          if (s.kind === 'begin') open.push({ id: s.id, ticket: cache.beginRead(`k${s.id}`), at: clock });
          if (s.kind === 'invalidate') {
            cache.invalidate(`k${s.id}`);
            changedAt.set(s.id, clock);
            good.delete(s.id);
          }
          if (s.kind === 'flush') {
            cache.flush();
            flushedAt = clock;
            good.clear();
          }
          if (s.kind === 'end' && open.length > 0) {
            const [read] = open.splice(s.ticket % open.length, 1);
            if (read) {
              cache.fill(read.ticket, `i${read.id}`, record(`i${read.id}`));
              if (read.at > (changedAt.get(read.id) ?? -1) && read.at > flushedAt) good.add(read.id);
            }
          }
          for (let n = 0; n <= 3; n++) {
            if (cache.lookup(`i${n}`, T0) !== undefined) expect(good.has(n)).toBe(true);
          }
        }
      }),
    );
  });
});
