import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Encryption at rest for the secrets the store must hold (session_key, access tokens, briefly
 * cached phone numbers): a dump of Redis holds nothing usable without the server's secret.
 *
 * AES-256-GCM with the record's name in the store as associated data, so a sealed value opens
 * only where it was written: copied into another user's record it is nothing. A sealed value is
 * `e:` + the key's id (4 characters) + base64url(iv | tag | ciphertext); the id says which secret
 * opens it, so SESSION_KEY_SECRET can be rotated with the old one kept as
 * SESSION_KEY_SECRET_PREVIOUS. A value whose key is not known opens as null: a miss, never an error.
 * Without a secret (development only) values are kept as `p:` + plain text.
 *
 * A user's session_key is sealed differently (`sealSessionKey`): deterministically, and small.
 * Deterministic, because the store tells a login that brought the same session_key again from one
 * that brought a new one by comparing what it holds (the rotation rule lives in one place, the
 * store); small, because it sits in the user's Redis hash, whose compact encoding holds values of
 * at most 64 bytes (and bytes per login are a benchmark figure). It is SIV (Rogaway–Shrimpton's
 * synthetic IV): the IV is HMAC-SHA256 of the associated data and the plaintext, cut to 96 bits,
 * which also authenticates, and AES-256-CTR under that IV encrypts. Equal sealed values reveal equal
 * keys for the same user and nothing else, which is exactly what the store compares. A WeChat
 * session_key (base64 of 16 bytes) is sealed as its 16 bytes: 1 (key id) + 12 (IV) + 1 (form) + 16
 * = 30 bytes. The one-byte id only picks the likely secret; the IV check decides (both secrets are
 * tried when their ids meet, 1 time in 256). After SESSION_KEY_SECRET is rotated,
 * the same session_key seals to other bytes, so a user's first login with the same key again keeps
 * it as its own "previous" once (what tells a rotation from junk then misses the older key; the
 * client is sent through login and a fresh fetch either way).
 */
export interface Sealer {
  readonly encrypting: boolean;
  /** `record`: the name of the store record the value goes into (the associated data). */
  seal(plain: string, record: string): string;
  open(sealed: string, record: string): string | null;
  /** Seals a user's session_key for their record, deterministically (see above). */
  sealSessionKey(sessionKey: string, record: string): Buffer;
  openSessionKey(sealed: Uint8Array, record: string): string | null;
}

interface SealingKey {
  id: string;
  /** The session-key form's one-byte id. */
  shortId: number;
  key: Buffer;
  /** The SIV pair for session keys: HMAC key, AES-CTR key. */
  sivMac: Buffer;
  sivEnc: Buffer;
}

const ID_LENGTH = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES key and its public id, both derived from the secret (the id reveals nothing of the key). */
function deriveKey(secret: Buffer): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth sealing key', 32));
  const id = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth sealing key id', 3)).toString('base64url');
  const sivMac = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth session_key siv mac', 32));
  const sivEnc = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth session_key siv enc', 32));
  const shortId = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth session_key id', 1))[0] ?? 0;
  return { id, shortId, key, sivMac, sivEnc };
}

export function createSealer(secrets: { current: Buffer; previous: Buffer | undefined } | undefined): Sealer {
  if (!secrets) {
    return {
      encrypting: false,
      seal: (plain) => `p:${plain}`,
      open: (sealed) => (sealed.startsWith('p:') ? sealed.slice(2) : null),
      sealSessionKey: (sessionKey) => Buffer.from(`p:${sessionKey}`, 'utf8'),
      openSessionKey(sealed) {
        const text = Buffer.from(sealed).toString('utf8');
        return text.startsWith('p:') ? text.slice(2) : null;
      },
    };
  }
  const current = deriveKey(secrets.current);
  const keys = new Map([[current.id, current]]);
  if (secrets.previous) {
    const previous = deriveKey(secrets.previous);
    if (!keys.has(previous.id)) keys.set(previous.id, previous);
  }
  return {
    encrypting: true,
    seal(plain, record) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(record, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `e:${current.id}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed, record) {
      // A plain value is not trusted once a secret is set: anyone able to write to Redis could plant one.
      if (!sealed.startsWith('e:')) return null;
      const key = keys.get(sealed.slice(2, 2 + ID_LENGTH))?.key;
      if (!key) return null;
      const raw = Buffer.from(sealed.slice(2 + ID_LENGTH), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(record, 'utf8'));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
    sealSessionKey(sessionKey, record) {
      const plain = packSessionKey(sessionKey);
      const iv = syntheticIv(current, record, plain);
      return Buffer.concat([Buffer.of(current.shortId), iv, ctr(current, iv, plain)]);
    },
    openSessionKey(sealed, record) {
      const raw = Buffer.from(sealed);
      if (raw.length <= 1 + SIV_BYTES) return null;
      const iv = raw.subarray(1, 1 + SIV_BYTES);
      for (const key of keys.values()) {
        if (key.shortId !== raw[0]) continue;
        const plain = ctr(key, iv, raw.subarray(1 + SIV_BYTES));
        if (timingSafeEqual(syntheticIv(key, record, plain), iv)) return unpackSessionKey(plain);
      }
      return null;
    },
  };
}

const SIV_BYTES = 12;
const BINARY_KEY = 1;
const TEXT_KEY = 0;

/** AES-256-CTR from the synthetic IV (a 32-bit block counter after it): encrypts and decrypts alike. */
function ctr(key: SealingKey, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', key.sivEnc, Buffer.concat([iv, Buffer.alloc(4)]));
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** HMAC-SHA256 over the length-prefixed record name and the plaintext, cut to 96 bits. */
function syntheticIv(key: SealingKey, record: string, plain: Buffer): Buffer {
  const aad = Buffer.from(record, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(aad.length);
  return createHmac('sha256', key.sivMac).update(length).update(aad).update(plain).digest().subarray(0, SIV_BYTES);
}

/** A session_key as WeChat issues it (base64 of 16 bytes) as its bytes; any other string as text. */
function packSessionKey(sessionKey: string): Buffer {
  const bytes = Buffer.from(sessionKey, 'base64');
  if (bytes.length === 16 && bytes.toString('base64') === sessionKey)
    return Buffer.concat([Buffer.of(BINARY_KEY), bytes]);
  return Buffer.concat([Buffer.of(TEXT_KEY), Buffer.from(sessionKey, 'utf8')]);
}

function unpackSessionKey(plain: Buffer): string | null {
  const body = plain.subarray(1);
  if (plain[0] === BINARY_KEY && body.length === 16) return body.toString('base64');
  return plain[0] === TEXT_KEY ? body.toString('utf8') : null;
}
