import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wxauth/testkit';
import { buildSimulator, createSimulatorControl, TEST_APP } from '@wxauth/wechat-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedisServer } from './support/redis.js';

// Real processes: what `pnpm --filter @wxauth/server start` runs, configured by the environment only.
const serverDir = fileURLToPath(new URL('..', import.meta.url));
const redis = useRedisServer();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startProcess(command: string, args: string[], env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawn(command, args, {
    cwd: serverDir,
    // Only what the test gives: the machine's own REDIS_URL or NODE_ENV must not leak in.
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      // pnpm would otherwise ask the registry for a newer version: no test needs the network.
      npm_config_update_notifier: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => (typeof code === 'number' ? code : null));
  cleanups.push(async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
  });
  return { child, base: `http://127.0.0.1:${port}`, output: () => output, exited };
}

// Starting a process (pnpm, then Node loading the server) is slow on a loaded 2-core CI machine
// running builds alongside: these bounds guard against a hang, they time nothing.
const STARTUP_TIMEOUT_MS = 45_000;
const PROCESS_TEST_TIMEOUT_MS = 60_000;

async function waitUntilHealthy(started: Started, timeoutMs = STARTUP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`server exited: ${started.output()}`);
    const ok = await fetch(`${started.base}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not become healthy: ${started.output()}`);
}

async function simulator() {
  const sim = buildSimulator();
  cleanups.push(() => sim.close());
  return createSimulatorControl(await sim.listen({ port: 0, host: '127.0.0.1' }));
}

const SEALING_SECRET = Buffer.alloc(32, 5).toString('base64');

const production = (simUrl: string) => ({
  NODE_ENV: 'production',
  SESSION_KEY_SECRET: SEALING_SECRET,
  REDIS_URL: redis.server().url,
  WECHAT_APPID: TEST_APP.appid,
  WECHAT_SECRET: TEST_APP.secret,
  WECHAT_API_BASE: simUrl,
});

const loginOver = (base: string, code: string) =>
  fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });

describe('the server process', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('runs with `pnpm --filter @wxauth/server start`, configured by the environment', async () => {
    const sim = await simulator();
    const started = await startProcess('pnpm', ['--filter', '@wxauth/server', 'start'], production(sim.baseUrl));
    await waitUntilHealthy(started);
    const ready = await fetch(`${started.base}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'redis' });
    const response = await loginOver(started.base, await sim.login({ appid: TEST_APP.appid, user: 'proc' }));
    expect(response.status).toBe(200);
  });

  it('on SIGTERM finishes the request in flight, closes Redis and exits 0', async () => {
    const sim = await simulator();
    const started = await startProcess('node', ['dist/server.js'], production(sim.baseUrl));
    await waitUntilHealthy(started);
    await sim.fault({ endpoint: '/sns/jscode2session', fault: { kind: 'hang', ms: 700 } });
    const inFlight = loginOver(started.base, await sim.login({ appid: TEST_APP.appid, user: 'term' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    started.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await started.exited).toBe(0);
    // Stopped accepting: nothing listens any more.
    await expect(fetch(`${started.base}/healthz`)).rejects.toThrow();
    expect(started.output()).toMatch(/shutting down/);
  });

  it('refuses to start in production without its configuration, with one message naming it', async () => {
    const started = await startProcess('node', ['dist/server.js'], {
      NODE_ENV: 'production',
      REDIS_URL: redis.server().url,
    });
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toMatch(
      /^wxauth server did not start: Invalid configuration: WECHAT_APPID and WECHAT_SECRET \(or WECHAT_APPS\) are required/,
    );
  });

  it('regression: without NODE_ENV it started on development defaults; it applies the production rules', async () => {
    const sim = await simulator();
    const { NODE_ENV: _unset, SESSION_KEY_SECRET: _none, ...unset } = production(sim.baseUrl);
    const started = await startProcess('node', ['dist/server.js'], unset);
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toMatch(/did not start: Invalid configuration: SESSION_KEY_SECRET is required/);
  });

  it('starts in development with no configuration at all, warning about the defaults', async () => {
    const started = await startProcess('node', ['dist/server.js'], { NODE_ENV: 'development' });
    await waitUntilHealthy(started);
    const ready = await fetch(`${started.base}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'memory' });
    expect(started.output()).toMatch(/simulator's test app/);
    expect(started.output()).toMatch(/REDIS_URL is not set/);
  });
});
