import { type SpawnSyncReturns, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clientRoot, copyOfBuild, tempDir, testUploadKey } from './support.js';

const require = createRequire(import.meta.url);
const key = testUploadKey();

interface Run extends Pick<SpawnSyncReturns<string>, 'status' | 'stdout' | 'stderr'> {
  /** Connections the offline guard refused (and recorded). */
  networkAttempts: string[];
}

/**
 * `pnpm upload` as a process, with nothing of this machine's environment but PATH and HOME, and
 * the offline guard preloaded: a connection attempt fails at once and is recorded.
 */
async function upload(env: Record<string, string>, args: string[] = []): Promise<Run> {
  const log = join(tempDir(), 'network.log');
  const guard = join(clientRoot, 'ship', 'offline-guard.cjs');
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(require.resolve('tsx')).href, join(clientRoot, 'ship', 'cli.ts'), 'upload', ...args],
    {
      cwd: clientRoot,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        NODE_OPTIONS: `--require ${JSON.stringify(guard)}`,
        WXAUTH_OFFLINE_LOG: log,
        ...env,
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((done) => child.on('exit', done));
  const networkAttempts = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return { status, stdout, stderr, networkAttempts };
}

const ready = { TARO_APP_ID: 'wx1234567890abcdef', WECHAT_UPLOAD_KEY: key };

// Each run starts Node, tsx and Taro's env loader: seconds each on a loaded machine, so one run per
// kind of refusal here; every case of each kind is in upload-inputs and weapp-build tests.
describe('pnpm upload refuses before any network call, with exit code 2', { timeout: 60_000 }, () => {
  it.each([
    ['no upload key', { TARO_APP_ID: ready.TARO_APP_ID }, [], 'WECHAT_UPLOAD_KEY'],
    ["the simulator's appid", { ...ready, TARO_APP_ID: 'wx0000000000000001' }, [], 'TARO_APP_ID'],
    [
      'a build for a loopback server',
      { ...ready, TARO_APP_API_BASE: 'http://127.0.0.1:3000' },
      [],
      'TARO_APP_API_BASE',
    ],
    ['a missing build', ready, ['--dist', '/nonexistent/dist'], 'apps/client/dist'],
  ])('%s', async (_case, env, args, variable) => {
    const run = await upload(env, args);
    expect(run.stderr).toContain(`refused, nothing was sent to WeChat: ${variable}: `);
    expect(run.status).toBe(2);
    expect(run.networkAttempts).toEqual([]);
  });
});

describe('pnpm upload with everything in place', () => {
  it("gets as far as WeChat's network, then exits 1 with the reason", { timeout: 120_000 }, async () => {
    const run = await upload({ ...ready, TARO_APP_API_BASE: 'https://api.example.com' }, ['--dist', copyOfBuild()]);
    expect(run.stdout).toMatch(/uploading .* to wx1234567890abcdef: version 0\.1\.0, robot 1/);
    expect(run.networkAttempts[0]).toMatch(/servicewechat\.com:443/);
    expect(run.stderr).toMatch(/\[wechat upload\] failed: .*servicewechat\.com/);
    expect(run.status).toBe(1);
    const keyBody = key.split('\n')[1] ?? '';
    expect(`${run.stdout}${run.stderr}`).not.toContain(keyBody);
  });
});
