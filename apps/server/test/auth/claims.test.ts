import { WeChatError } from '@wxauth/wechat';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClaimKind,
  CODE_LIFETIME_MS,
  claimKey,
  createClaims,
  recallUpstreamFailure,
  rememberUpstreamFailure,
} from '../../src/auth/claims.js';
import type { KeyValueStore } from '../../src/stores/key-value-store.js';
import { createMemoryKeyValueStore } from '../../src/stores/memory-key-value-store.js';

let store: KeyValueStore;
beforeEach(() => {
  store = createMemoryKeyValueStore();
});
afterEach(async () => {
  await store.close();
});

const options = {
  pendingMs: 1000,
  replayWindowMs: 1000,
  rememberFailure: (error: unknown) => rememberUpstreamFailure(error, CODE_LIFETIME_MS),
  recall: (kind: string) => recallUpstreamFailure(kind, '/sns/jscode2session'),
};

describe('claims', () => {
  it('names a claim by its kind and a hash of the appid and code, never the code', () => {
    const key = claimKey(ClaimKind.login, 'wx0000000000000001', 'the-code');
    expect(key).toMatch(/^c:[A-Za-z0-9_-]{22}$/);
    expect(key).not.toContain('the-code');
    expect(claimKey(ClaimKind.phone, 'wx0000000000000001', 'the-code')).toMatch(/^p:/);
    expect(claimKey(ClaimKind.login, 'wx0000000000000002', 'the-code')).not.toBe(key);
  });

  it('does the work once for concurrent callers and shares its result', async () => {
    const claims = createClaims(store);
    let runs = 0;
    const work = async () => {
      runs += 1;
      return 'result';
    };
    const results = await Promise.all([1, 2, 3].map(() => claims.run('c:once', work, options)));
    expect(results).toEqual(['result', 'result', 'result']);
    expect(runs).toBe(1);
  });

  it("shares another instance's result within the replay window", async () => {
    let runs = 0;
    const work = async () => `result ${++runs}`;
    expect(await createClaims(store).run('c:shared', work, options)).toBe('result 1');
    expect(await createClaims(store).run('c:shared', work, options)).toBe('result 1');
  });

  it('remembers a permanent upstream failure and recalls it without doing the work again', async () => {
    let runs = 0;
    const work = async () => {
      runs += 1;
      throw new WeChatError('invalid-code', '/sns/jscode2session', 'invalid code');
    };
    await expect(createClaims(store).run('c:bad', work, options)).rejects.toMatchObject({ kind: 'invalid-code' });
    await expect(createClaims(store).run('c:bad', work, options)).rejects.toMatchObject({ kind: 'invalid-code' });
    expect(runs).toBe(1);
  });

  it('forgets a failure that is not worth remembering, so that a retry works again', async () => {
    let runs = 0;
    const work = async () => {
      runs += 1;
      if (runs === 1) throw new Error('a bug');
      return 'second';
    };
    await expect(createClaims(store).run('c:retry', work, options)).rejects.toThrow('a bug');
    expect(await createClaims(store).run('c:retry', work, options)).toBe('second');
  });
});
