import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
