import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../src/sealing.js';
import { call, login } from './helper.js';
import { useRedisServer } from './support/redis.js';
import { TEST_APP, useSimulatedWorld } from './support/simulator.js';

const secret = () => randomBytes(32);
const only = (current: Buffer, previous?: Buffer) => createSealer({ current, previous });

describe('sealing', () => {
  it('opens a value only under the record it was sealed for', () => {
    const sealer = only(secret());
    const sealed = sealer.seal('session-key', 'wxa:u:o-alice');
    expect(sealed).toMatch(/^e:/);
    expect(sealed).not.toContain('session-key');
    expect(sealer.open(sealed, 'wxa:u:o-alice')).toBe('session-key');
    // Copied into another user's record, it is nothing.
    expect(sealer.open(sealed, 'wxa:u:o-mallory')).toBeNull();
  });

  it('opens values of the previous secret after a rotation, and seals with the new one', () => {
    const [oldSecret, newSecret] = [secret(), secret()];
    const before = only(oldSecret).seal('v', 'r');
    const rotated = only(newSecret, oldSecret);
    expect(rotated.open(before, 'r')).toBe('v');
    const after = rotated.seal('v', 'r');
    expect(after.slice(0, 6)).not.toBe(before.slice(0, 6));
    expect(only(newSecret).open(after, 'r')).toBe('v');
  });

  it('treats a value sealed under an unknown key id as absent', () => {
    const sealed = only(secret()).seal('v', 'r');
    expect(only(secret()).open(sealed, 'r')).toBeNull();
    expect(only(secret()).open('e:zzzzgarbage', 'r')).toBeNull();
  });

  it('refuses plain values once a secret is set: anyone who can write to Redis could plant one', () => {
    expect(createSealer(undefined).seal('v', 'r')).toBe('p:v');
    expect(only(secret()).open('p:v', 'r')).toBeNull();
  });
});

describe("sealing a user's session_key", () => {
  const wechatKey = randomBytes(16).toString('base64');

  it('opens only under the record it was sealed for, and holds nothing of the key', () => {
    const sealer = only(secret());
    const sealed = sealer.sealSessionKey(wechatKey, 'wxa:u:{alice}');
    expect(sealed.includes(Buffer.from(wechatKey, 'base64'))).toBe(false);
    expect(sealer.openSessionKey(sealed, 'wxa:u:{alice}')).toBe(wechatKey);
    expect(sealer.openSessionKey(sealed, 'wxa:u:{mallory}')).toBeNull();
  });

  it("is the same bytes for the same key and user (the store compares them), other bytes for another's", () => {
    const sealer = only(secret());
    expect(sealer.sealSessionKey(wechatKey, 'r')).toEqual(sealer.sealSessionKey(wechatKey, 'r'));
    expect(sealer.sealSessionKey(wechatKey, 'r')).not.toEqual(sealer.sealSessionKey(wechatKey, 'other'));
    expect(sealer.sealSessionKey(wechatKey, 'r')).not.toEqual(
      sealer.sealSessionKey(randomBytes(16).toString('base64'), 'r'),
    );
  });

  it('is 24 bytes for a WeChat key (RFC 3394 key wrap), any other string kept as text', () => {
    const sealer = only(secret());
    expect(sealer.sealSessionKey(wechatKey, 'r')).toHaveLength(24);
    for (const odd of ['', 'key1', 'AAAAAAAAAAAAAAAAAAAAAA', 'sixteen chars ok', 'not base64 at all ✓']) {
      expect(sealer.openSessionKey(sealer.sealSessionKey(odd, 'r'), 'r')).toBe(odd);
    }
  });

  it('follows RFC 3394 (its test vector 4.6: a 256-bit key wrapping 128 bits of key data)', () => {
    // The record's wrapping key is an HMAC (see sealing.ts); the vector checks the wrap itself.
    const kek = Buffer.from('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', 'hex');
    const cipher = createCipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
    const wrapped = Buffer.concat([
      cipher.update(Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex')),
      cipher.final(),
    ]);
    expect(wrapped.toString('hex').toUpperCase()).toBe('64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7');
  });

  it('opens keys of the previous secret after a rotation; a tampered or unknown one is absent', () => {
    const [oldSecret, newSecret] = [secret(), secret()];
    const before = only(oldSecret).sealSessionKey(wechatKey, 'r');
    expect(only(newSecret, oldSecret).openSessionKey(before, 'r')).toBe(wechatKey);
    expect(only(newSecret).openSessionKey(before, 'r')).toBeNull();
    const tampered = Buffer.from(before);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(only(oldSecret).openSessionKey(tampered, 'r')).toBeNull();
    expect(only(oldSecret).openSessionKey(before.subarray(0, 19), 'r')).toBeNull();
    expect(only(oldSecret).openSessionKey(before.subarray(0, 16), 'r')).toBeNull();
    expect(only(oldSecret).openSessionKey(Buffer.alloc(0), 'r')).toBeNull();
  });

  it('keeps keys plain without a secret, and refuses plain ones once a secret is set', () => {
    const plain = createSealer(undefined).sealSessionKey(wechatKey, 'r');
    expect(plain.toString()).toBe(`p:${wechatKey}`);
    expect(createSealer(undefined).openSessionKey(plain, 'r')).toBe(wechatKey);
    expect(only(secret()).openSessionKey(plain, 'r')).toBeNull();
  });
});

const redis = useRedisServer();
const world = useSimulatedWorld();

describe('SESSION_KEY_SECRET rotation', () => {
  it('keeps session keys readable with the old secret as SESSION_KEY_SECRET_PREVIOUS, and only then', async () => {
    const sim = await world.startSimulator();
    const env = redis.env();
    const start = (sealing: Record<string, string>) => world.startServer(sim, { ...env, ...sealing });
    const [oldSecret, newSecret] = [secret().toString('base64'), secret().toString('base64')];
    const rotor = { appid: TEST_APP.appid, user: 'rotor' };
    const token = await login(await start({ SESSION_KEY_SECRET: oldSecret }), await sim.login(rotor));
    const data = async () => {
      const { encryptedData, iv } = await sim.encrypt({ ...rotor, data: { n: 1 } });
      return { encryptedData, iv };
    };

    const rotated = await start({ SESSION_KEY_SECRET: newSecret, SESSION_KEY_SECRET_PREVIOUS: oldSecret });
    expect((await call(rotated, 'decrypt', { token, body: await data() })).status).toBe(200);

    // The old secret dropped: its values are absent, and the client is sent through a new login.
    const dropped = await start({ SESSION_KEY_SECRET: newSecret });
    expect(await call(dropped, 'decrypt', { token, body: await data() })).toMatchObject({
      status: 400,
      body: { error: { code: 'SESSION_KEY_ROTATED', action: { kind: 'relogin-and-refetch' } } },
    });
  });
});
