import { describe, expect, it } from 'vitest';
import { mintToken } from '../src/sessions.js';

describe('session tokens', () => {
  it('are 32 random bytes in base64url, never the same twice, across refills of the pool', () => {
    const tokens = Array.from({ length: 64 * 5 + 7 }, mintToken);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    // An all-zero token would mean a slice was handed out after it was wiped.
    expect(tokens).not.toContain(Buffer.alloc(32).toString('base64url'));
  });
});
