import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call, login } from './helper.js';
import { createLeakWatch, leakWatch } from './support/leak-watch.js';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('the leak check', () => {
  it('finds a secret in a log line or a response, except the login response that issued the token', () => {
    const watch = createLeakWatch();
    watch.secret('a session token', 'tok_0123456789');
    watch.secret('a code', 'code_0123456789');
    watch.responses.push({ text: '{"token":"tok_0123456789"}', allowedToken: 'tok_0123456789' });
    expect(watch.findLeaks()).toEqual([]);
    watch.logs.push('{"msg":"exchanging code_0123456789"}');
    watch.responses.push({ text: '{"echo":"tok_0123456789"}' });
    expect(watch.findLeaks()).toHaveLength(2);
  });

  it("sees this file's traffic: log lines at trace level and every response", async () => {
    app = await buildTestApp();
    const logsBefore = leakWatch.logs.length;
    const token = await login(app, 'u-watched');
    await call(app, 'session', { token });
    expect(leakWatch.logs.length).toBeGreaterThan(logsBefore);
    expect(leakWatch.secrets.get(token)).toBe('a session token');
    expect(leakWatch.secrets.get('u-watched')).toBe('a code');
    expect([...leakWatch.secrets.values()]).toContain('a session_key');
    expect(leakWatch.responses.some((response) => response.allowedToken === token)).toBe(true);
  });
});
