import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wxauth/testkit';
import { describe, expect, it } from 'vitest';
import { isPortFree, probes, waitForStack } from '../src/index.js';

// The built command, as the packages' dev scripts run it (turbo builds before tests).
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'wxauth-dev.js');

function wrapper(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A stand-in for tsx or taro: says which port it was given, and how it was stopped.
const CHILD = [
  "process.on('SIGINT', () => { console.log('child: SIGINT'); process.exit(0); });",
  "console.log('child: PORT=' + process.env.PORT);",
  'setInterval(() => {}, 1000);',
].join('\n');

describe('wxauth-dev run', () => {
  it("starts the command with its role's port and stops it on the wrapper's SIGINT", async () => {
    const port = await freePort();
    const { child, output } = wrapper(['run', 'sim', '--', process.execPath, '-e', CHILD], { SIM_PORT: String(port) });
    await until(() => output().includes(`child: PORT=${port}`), 'the child');
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(output()).toContain('child: SIGINT');
    expect(code).toBe(0);
  });

  it('exits as the child did when a signal ended it (128 + signal)', async () => {
    const port = await freePort();
    const { child, output } = wrapper(['run', 'sim', '--', process.execPath, '-e', CHILD], { SIM_PORT: String(port) });
    await until(() => output().includes('child: PORT'), 'the child');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(128 + 15);
  });

  it('refuses to start on a port that is taken, naming the variable to change', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const address = holder.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      expect(await isPortFree(address.port)).toBe(false);
      const { child, output } = wrapper(['run', 'h5', '--', process.execPath, '-e', CHILD], {
        H5_PORT: String(address.port),
      });
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      expect(output()).toContain(`port ${address.port} is in use (H5_PORT)`);
      expect(output()).not.toContain('child:');
    } finally {
      holder.close();
    }
  });
});

// A stand-in for Taro's H5 dev server: webpack-dev-server announces its addresses on stderr, three
// times while the first build runs; Taro reports its progress on stdout.
const H5 = [
  'const block = "<i> [webpack-dev-server] Project is running at:\\n<i> [webpack-dev-server] Loopback: http://localhost:" + process.env.H5_PORT + "/\\n";',
  "for (let i = 0; i < 3; i += 1) { process.stdout.write('compiling\\n'); process.stderr.write(block); }",
  "process.stdout.write('done\\n');",
].join('\n');

describe('wxauth-dev run h5', () => {
  it("prints the H5 dev server's addresses once, and the rest of its output as it comes", async () => {
    const port = await freePort();
    const { child, output } = wrapper(['run', 'h5', '--', process.execPath, '-e', H5], { H5_PORT: String(port) });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output().split(`Loopback: http://localhost:${port}/`)).toHaveLength(2);
    expect(output().split('Project is running at:')).toHaveLength(2);
    expect(output().split('compiling')).toHaveLength(4);
    expect(output()).toContain('done\n');
  });
});

describe('waitForStack', () => {
  it('resolves once every probe answers, and reports what it is still waiting for', async () => {
    const [sim, server, h5] = [await freePort(), await freePort(), await freePort()];
    const list = probes({ sim, server, h5 });
    const slow: string[][] = [];
    const waiting = waitForStack(list, { intervalMs: 20, slowAfterMs: 0, onSlow: (down) => slow.push(down) });
    const servers = [sim, server, h5].map((port) =>
      createHttpServer((_request, response) => response.end('ok')).listen(port, '127.0.0.1'),
    );
    try {
      await waiting;
      expect(slow).toEqual([['simulator', 'server', 'H5 dev server']]);
    } finally {
      for (const s of servers) s.close();
    }
  });
});
