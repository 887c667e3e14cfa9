import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startNodeService } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'testkit-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe('startNodeService', () => {
  it('runs a script on a free loopback port until stopped', async () => {
    const server = script(
      'server.mjs',
      "import { createServer } from 'node:http';\n" +
        'createServer((req, res) => res.end(process.env.GREETING)).listen(Number(process.env.PORT), process.env.HOST);\n',
    );
    const service = await startNodeService({ name: 'hello', script: server, env: { GREETING: 'hi' } });
    try {
      expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
      expect(await (await fetch(service.url)).text()).toBe('hi');
    } finally {
      await service.stop();
    }
    await expect(fetch(service.url)).rejects.toThrow();
  });

  it('a service that exits before answering fails with what it printed', async () => {
    const failing = script('failing.mjs', "console.error('no config'); process.exit(3);\n");
    await expect(startNodeService({ name: 'broken', script: failing, env: {} })).rejects.toThrow(
      /broken exited with 3:\nno config/,
    );
  });
});

describe('what a test starts', () => {
  // Two Node processes start one after the other: bounds for a loaded 2-core CI machine.
  it('is killed when the process that started it is stopped by a signal', { timeout: 60_000 }, async () => {
    const server = script(
      'idle-server.mjs',
      "import { createServer } from 'node:http';\n" +
        'createServer((req, res) => res.end()).listen(Number(process.env.PORT), process.env.HOST);\n',
    );
    const kit = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const starter = script(
      'starter.mjs',
      `import { startNodeService } from ${JSON.stringify(kit)};\n` +
        `const service = await startNodeService({ name: 'idle', script: ${JSON.stringify(server)}, env: {} });\n` +
        'console.log(service.pid);\n' +
        'setInterval(() => {}, 1000);\n',
    );
    const parent = spawn(process.execPath, [starter], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await once(parent.stdout, 'data');
    const pid = Number(String(line).trim());
    expect(pid).toBeGreaterThan(0);
    parent.kill('SIGTERM');
    await once(parent, 'exit');
    await expect.poll(() => isRunning(pid), { timeout: 10_000 }).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
