import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type NodeService, startNodeService } from '@wxauth/testkit';
import { buildSimulator, createSimulatorControl, TEST_APP } from '@wxauth/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from './support/redis.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const redis = useRedisServer();

// `pnpm deploy` copies the server and installs its production dependencies from the store. Not
// --offline: the packages are in the store after `pnpm install --frozen-lockfile`, but the
// registry metadata legacy deploy resolves with is not (a fresh store has none): ~20 s alone, 90–200 s beside the rest of
// `pnpm test` on a loaded 2-core machine (about 10 s of CPU, the rest waiting). The bound is for a hang.
const DEPLOY_TIMEOUT_MS = 420_000;
let folder = '';
let work = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wxauth-deploy-'));
  folder = join(work, 'server');
  await promisify(execFile)('pnpm', ['--filter', '@wxauth/server', 'deploy', '--prod', '--prefer-offline', folder], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', npm_config_update_notifier: 'false' },
    timeout: DEPLOY_TIMEOUT_MS,
  });
}, DEPLOY_TIMEOUT_MS + 5_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the deployable server folder (pnpm --filter @wxauth/server deploy --prod <dir>)', { timeout: 60_000 }, () => {
  it('holds the built server and its production dependencies only', () => {
    expect(readdirSync(folder).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const installed = readdirSync(join(folder, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['fastify', 'ioredis', '@wxauth']));
    expect(installed).not.toEqual(expect.arrayContaining(['vitest']));
    expect(installed).not.toEqual(expect.arrayContaining(['tsx']));
  });

  it('starts with plain `node dist/server.js` in production, answers /readyz and logs in through the simulator', async () => {
    const sim = buildSimulator();
    const control = createSimulatorControl(await sim.listen({ port: 0, host: '127.0.0.1' }));
    let server: NodeService | undefined;
    try {
      server = await startNodeService({
        name: 'deployed server',
        script: join(folder, 'dist', 'server.js'),
        env: {
          NODE_ENV: 'production',
          SESSION_KEY_SECRET: randomBytes(32).toString('base64'),
          ...redis.env(),
          WECHAT_APPID: TEST_APP.appid,
          WECHAT_SECRET: TEST_APP.secret,
          WECHAT_API_BASE: control.baseUrl,
          LOG_LEVEL: 'warn',
        },
        readyPath: '/healthz',
        readyWhenOk: true,
        timeoutMs: 45_000,
      });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', store: 'redis' });
      // A 503 says "retry shortly" (Retry-After); the mini-program does, with a new code. On a starved
      // CI machine a first login can meet one (a Redis command past its 750 ms bound): do the same.
      const url = `${server.url}/auth/login`;
      const turnedAway: unknown[] = [];
      let reply: { status: number; body: unknown } = { status: 0, body: null };
      for (let attempt = 0; attempt < 4; attempt++) {
        const code = await control.login({ appid: TEST_APP.appid, user: 'deployed' });
        const login = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code }),
        });
        reply = { status: login.status, body: await login.json() };
        if (login.status !== 503) break;
        turnedAway.push(reply.body);
        await sleep(Number(login.headers.get('retry-after') ?? '1') * 1000);
      }
      if (turnedAway.length > 0) {
        console.warn(`the deployed server answered 503 first: ${JSON.stringify(turnedAway)}\n${server.output()}`);
      }
      // On a failure, what the server answered and logged says why.
      expect(reply, server.output()).toMatchObject({
        status: 200,
        body: { token: expect.any(String), user: { openid: expect.any(String) } },
      });
    } finally {
      await server?.stop();
      await sim.close();
    }
  });
});
