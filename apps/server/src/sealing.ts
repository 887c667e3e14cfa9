import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

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
 */
export interface Sealer {
  readonly encrypting: boolean;
  /** `record`: the name of the store record the value goes into (the associated data). */
  seal(plain: string, record: string): string;
  open(sealed: string, record: string): string | null;
}

interface SealingKey {
  id: string;
  key: Buffer;
}

const ID_LENGTH = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES key and its public id, both derived from the secret (the id reveals nothing of the key). */
function deriveKey(secret: Buffer): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth sealing key', 32));
  const id = Buffer.from(hkdfSync('sha256', secret, '', 'wxauth sealing key id', 3)).toString('base64url');
  return { id, key };
}

export function createSealer(secrets: { current: Buffer; previous: Buffer | undefined } | undefined): Sealer {
  if (!secrets) {
    return {
      encrypting: false,
      seal: (plain) => `p:${plain}`,
      open: (sealed) => (sealed.startsWith('p:') ? sealed.slice(2) : null),
    };
  }
  const current = deriveKey(secrets.current);
  const keys = new Map([[current.id, current.key]]);
  if (secrets.previous) {
    const previous = deriveKey(secrets.previous);
    if (!keys.has(previous.id)) keys.set(previous.id, previous.key);
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
      const key = keys.get(sealed.slice(2, 2 + ID_LENGTH));
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
  };
}
