import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorControl, simulatedOpenid, TEST_APP } from '../src/index.js';

// The built CLI, as `pnpm --filter @wxauth/wechat-sim start` runs it (turbo builds before testing).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

// Bounds that fit a loaded 2-core CI machine, as the other process tests: a 45 s startup wait
// inside a 60 s hook or test timeout.
const STARTUP_MS = 45_000;
const PROCESS_TEST_MS = 60_000;

let child: ChildProcess;
let baseUrl: string;

beforeAll(async () => {
  child = spawn(process.execPath, [cli], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WECHAT_SIM_APPS: 'wx00000000000000aa:extra-secret' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  baseUrl = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`cli did not start within ${STARTUP_MS} ms: ${output}`)),
      STARTUP_MS,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cli exited with ${code}: ${output}`));
    });
  });
}, PROCESS_TEST_MS);

afterAll(async () => {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
});

describe('the wechat-sim CLI', () => {
  it('answers jscode2session over HTTP as WeChat would', async () => {
    const sim = createSimulatorControl(baseUrl);
    const code = await sim.login({ appid: TEST_APP.appid, user: 'alice' });
    const query = new URLSearchParams({ ...TEST_APP, js_code: code, grant_type: 'authorization_code' });
    const response = await fetch(`${baseUrl}/sns/jscode2session?${query}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.json()).toEqual({
      openid: simulatedOpenid(TEST_APP.appid, 'alice'),
      session_key: expect.any(String),
    });
    expect((await sim.calls())['/sns/jscode2session']).toBe(1);
  });

  it('knows the apps given in WECHAT_SIM_APPS besides the test app', async () => {
    const sim = createSimulatorControl(baseUrl);
    const code = await sim.login({ appid: 'wx00000000000000aa', user: 'alice' });
    const query = new URLSearchParams({
      appid: 'wx00000000000000aa',
      secret: 'extra-secret',
      js_code: code,
      grant_type: 'authorization_code',
    });
    expect(await (await fetch(`${baseUrl}/sns/jscode2session?${query}`)).json()).toHaveProperty('openid');
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});

describe('the wechat-sim CLI with a bad environment', () => {
  it(
    'refuses a malformed WECHAT_SIM_APPS entry by its position, without echoing it (it holds a secret)',
    async () => {
      const bad = spawn(process.execPath, [cli], {
        env: { ...process.env, PORT: '0', WECHAT_SIM_APPS: 'wx00000000000000aa:fine,top-secret-value' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      for (const stream of [bad.stdout, bad.stderr])
        stream?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = await once(bad, 'exit');
      expect(code).toBe(1);
      expect(output).toContain('WECHAT_SIM_APPS entry 2 is not "appid:secret"');
      expect(output).not.toContain('top-secret-value');
    },
    PROCESS_TEST_MS,
  );
});
