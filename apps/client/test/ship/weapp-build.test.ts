import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Refusal } from '../../ship/refusal.js';
import { assertBuilt, assertBuiltFor, assertPublicHttps } from '../../ship/weapp-build.js';
import { tempDir } from './support.js';

function refusalOf(run: () => unknown): Refusal {
  try {
    run();
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function build(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('the build an upload takes', () => {
  it.each([
    ['missing', () => join(tempDir(), 'dist'), /no weapp build/],
    ['empty', () => tempDir(), /is empty/],
    ['without app.json', () => build({ 'x.js': '1' }), /no app\.json/],
  ])('is refused when %s', (_case, folder, message) => {
    const error = refusalOf(() => assertBuilt(folder()));
    expect(error.subject).toBe('apps/client/dist');
    expect(error.message).toMatch(message);
  });

  it.each([
    'http://api.example.com',
    'https://127.0.0.1:3000',
    'https://localhost',
    'https://api.localhost',
    'https://10.1.2.3',
    'https://172.20.0.5',
    'https://192.168.1.10',
    'https://169.254.169.254',
    'https://100.64.0.1',
    'https://[::1]:3000',
    'https://[fd00::1]',
    'https://[::ffff:127.0.0.1]',
    'https://server',
    'https://wxauth.local',
    'not a url',
    '',
  ])('refuses TARO_APP_API_BASE=%s', (apiBase) => {
    expect(refusalOf(() => assertPublicHttps(apiBase)).subject).toBe('TARO_APP_API_BASE');
  });

  it.each(['https://api.example.com', 'https://login.example.cn/api', 'https://8.8.8.8'])('accepts %s', (apiBase) => {
    expect(assertPublicHttps(apiBase)).toBe(apiBase);
  });

  it('is refused when made for another server', () => {
    const dist = build({ 'app.json': '{}', 'common.js': 'const n="https://old.example.com";' });
    const error = refusalOf(() => assertBuiltFor(dist, 'https://api.example.com'));
    expect(error.subject).toBe('TARO_APP_API_BASE');
    expect(error.message).toMatch(/not made for https:\/\/api\.example\.com/);
  });

  it('is refused when it still calls a loopback address', () => {
    const dist = build({
      'app.json': '{}',
      'common.js': 'const n="https://api.example.com";const dev=`http://127.0.0.1:3000`;',
    });
    expect(refusalOf(() => assertBuiltFor(dist, 'https://api.example.com')).message).toMatch(
      /calls http:\/\/127\.0\.0\.1:3000 \(common\.js\)/,
    );
  });

  it('passes a build made for the public server', () => {
    const dist = build({ 'app.json': '{}', 'pages/a.js': "fetch('https://api.example.com')" });
    expect(() => assertBuiltFor(dist, 'https://api.example.com')).not.toThrow();
  });
});
