import { describe, expect, it } from 'vitest';
import { mintToken, sessionIdOf } from '../../src/auth/sessions.js';
import { parseSessionId, userHandle } from '../../src/stores/user-key.js';

const alice = { appid: 'wx0000000000000001', openid: `o${'A'.repeat(27)}` };

describe('session tokens', () => {
  it("are 32 bytes in base64url: the user's 12-byte handle, then 20 random bytes, never the same twice", () => {
    const tokens = Array.from({ length: 64 * 5 + 7 }, () => mintToken(alice));
    const handle = userHandle(alice.appid, alice.openid);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(token.slice(0, 16)).toBe(handle);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    // An all-zero random part would mean a slice was handed out after it was wiped.
    expect(tokens.map((token) => token.slice(16))).not.toContain(Buffer.alloc(20).toString('base64url').slice(0, 27));
  });

  it("lead to their user's record, under a hash of the token rather than the token", () => {
    const token = mintToken(alice);
    const ref = parseSessionId(sessionIdOf(token));
    expect(ref?.handle).toBe(userHandle(alice.appid, alice.openid));
    expect(ref?.field).toHaveLength(12);
    expect(token).not.toContain(ref?.field);
    expect(sessionIdOf(mintToken(alice))).not.toBe(sessionIdOf(token));
  });
});
