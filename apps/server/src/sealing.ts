import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for the secrets the store must hold (session_key, access tokens, cached phone
 * numbers): with SESSION_KEY_SECRET set, a dump of Redis holds nothing usable without the server's
 * key. AES-256-GCM; a sealed value is `e:` + base64url(iv | tag | ciphertext). Without a key values
 * are kept as `p:` + plain text, and a value sealed under another key opens as null (a miss).
 */
export interface Sealer {
  readonly encrypting: boolean;
  seal(plain: string): string;
  open(sealed: string): string | null;
}

export function createSealer(key: Buffer | undefined): Sealer {
  return {
    encrypting: key !== undefined,
    seal(plain) {
      if (!key) return `p:${plain}`;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `e:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      // Plain values written before a key was configured still open, so turning encryption on
      // does not log everybody out.
      if (sealed.startsWith('p:')) return sealed.slice(2);
      if (!key || !sealed.startsWith('e:')) return null;
      const raw = Buffer.from(sealed.slice(2), 'base64url');
      if (raw.length < 28) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
