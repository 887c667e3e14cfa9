import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { sessionKeyBytes } from '@wxauth/wechat';

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
 * store); small, because it sits in the user's Redis hash, where every byte is paid for by every
 * user (redis-scripts.ts). A session_key is a key, so it is sealed with the standard made for
 * wrapping keys, AES key wrap (RFC 3394, NIST SP 800-38F): deterministic by design, authenticated
 * by its 64-bit integrity check, and 8 bytes longer than the key: a WeChat session_key (base64 of
 * 16 bytes) is kept in 24. The wrapping key is the record's own, HMAC-SHA256 of the record's name
 * under a key derived from the secret, so a value opens only in the record it was sealed for. Any
 * other session_key string is wrapped as text with the padded variant (RFC 5649), whose integrity
 * check differs, so neither form ever opens as the other. No key id: opening tries the current
 * secret, then the previous one. Equal sealed values reveal equal keys for the same user and
 * nothing else, which is exactly what the store compares. After SESSION_KEY_SECRET is rotated,
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
  key: Buffer;
  /** What each record's session_key wrapping key is derived from (see above). */
  wrap: Buffer;
}

const ID_LENGTH = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES key and its public id, both derived from the secret (the id reveals nothing of the key). */
function deriveKey(secret: Buffer): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth sealing key', 32));
  const id = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth sealing key id', 3)).toString('base64url');
  const wrap = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth session_key wrap', 32));
  return { id, key, wrap };
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
      const wrapping = recordKey(current, record);
      const bytes = sessionKeyBytes(sessionKey);
      if (bytes) return wrapWith(KEY_WRAP, wrapping, bytes);
      return wrapWith(KEY_WRAP_PAD, wrapping, Buffer.concat([TEXT_FORM, Buffer.from(sessionKey, 'utf8')]));
    },
    openSessionKey(sealed, record) {
      // Both forms are at least 16 bytes; the key wrap modes open shorter input without a check.
      if (sealed.length < 16) return null;
      for (const key of keys.values()) {
        const wrapping = recordKey(key, record);
        const bytes = unwrapWith(KEY_WRAP, wrapping, sealed);
        if (bytes?.length === 16) return bytes.toString('base64');
        const text = unwrapWith(KEY_WRAP_PAD, wrapping, sealed);
        if (text && text[0] === TEXT_FORM[0]) return text.subarray(1).toString('utf8');
      }
      return null;
    },
  };
}

/** AES-256 key wrap (RFC 3394) and with padding (RFC 5649), with their standard initial values. */
const KEY_WRAP = { cipher: 'id-aes256-wrap', iv: Buffer.from('A6A6A6A6A6A6A6A6', 'hex') };
const KEY_WRAP_PAD = { cipher: 'id-aes256-wrap-pad', iv: Buffer.from('A65959A6', 'hex') };
/** Leads a text session_key, so that even an empty one wraps to something checked. */
const TEXT_FORM = Buffer.of(0);

/** A record's own wrapping key: HMAC-SHA256 of its name under the secret's wrap key. */
function recordKey(key: SealingKey, record: string): Buffer {
  return createHmac('sha256', key.wrap).update(record, 'utf8').digest();
}

function wrapWith(mode: typeof KEY_WRAP, key: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv(mode.cipher, key, mode.iv);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

/** The unwrapped bytes, or null when the integrity check fails (another key, record or form). */
function unwrapWith(mode: typeof KEY_WRAP, key: Buffer, sealed: Uint8Array): Buffer | null {
  try {
    const decipher = createDecipheriv(mode.cipher, key, mode.iv);
    return Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    return null;
  }
}
