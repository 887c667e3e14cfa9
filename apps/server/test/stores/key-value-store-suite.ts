import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/stores/key-value-store.js';

/**
 * The semantics every KeyValueStore promises (src/stores/key-value-store.ts), run against each
 * implementation. `makeStore` gets a fresh namespace per test.
 */
export function describeKeyValueStore(name: string, makeStore: () => Promise<KeyValueStore>) {
  describe(`${name} key-value store`, () => {
    let store: KeyValueStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

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

    it('names records as they are kept', () => {
      expect(store.recordName('at:wx0000000000000001')).toMatch(/at:wx0000000000000001$/);
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
