import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WeChatErrcode, weChatErrmsg } from '../src/errcodes.js';

describe("WeChat's errcode table", () => {
  it('gives each errcode one name', () => {
    const values = Object.values(WeChatErrcode);
    expect(new Set(values).size).toBe(values.length);
  });

  it("gives WeChat's wording for a known errcode and nothing for an unknown one", () => {
    expect(weChatErrmsg(WeChatErrcode.invalidCode)).toBe('invalid code');
    expect(weChatErrmsg(WeChatErrcode.invalidCredential)).toBe(
      'invalid credential, access_token is invalid or not latest',
    );
    expect(weChatErrmsg(12345)).toBeUndefined();
  });

  it('imports nothing, so the mini-program may import it without a schema library', () => {
    for (const file of ['errcodes.ts', 'app-list.ts', 'endpoints.ts']) {
      const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/^\s*import\s/m);
    }
  });
});
