import * as crypto from 'node:crypto';

/**
 * SHA-256 in base64url, as keys are named in the store. Node ≥ 20.12 hashes a short string in one
 * call without a Hash object (about a third of the cost, and this runs on every session check);
 * older Node 20 releases take the long way.
 */
export const sha256Base64url: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');
