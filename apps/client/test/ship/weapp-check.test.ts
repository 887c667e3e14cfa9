import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWeappCheck } from '../../ship/weapp-check.js';
import { clientRoot, copyOfBuild, dist, tempDir } from './support.js';

/**
 * The smallest mini-program WeChat's compiler accepts, with the build's DevTools settings, plus
 * `files`: the compiler's time goes to the one defect rather than to the whole app.
 */
function miniProgram(files: Record<string, string | Buffer>): string {
  const dir = tempDir('wxauth-weapp-mini-');
  const all: Record<string, string | Buffer> = {
    'project.config.json': readFileSync(join(dist, 'project.config.json')),
    'app.json': JSON.stringify({ pages: ['pages/index/index'] }),
    'app.js': 'App({});',
    'pages/index/index.js': 'Page({});',
    'pages/index/index.json': '{}',
    'pages/index/index.wxml': '<view>wxauth</view>',
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

// The passing check on the real build is turbo's `check:weapp` task; these show it biting. Each
// starts WeChat's compiler in a child process (seconds to load, more to compile on a loaded machine).
describe("WeChat's compiler check fails a build WeChat would reject", { timeout: 200_000 }, () => {
  it('a page listed in app.json without its files', async () => {
    const copy = copyOfBuild();
    for (const file of ['index.js', 'index.json', 'index.wxml']) rmSync(join(copy, 'pages', 'phone', file));
    const report = await runWeappCheck(copy);
    expect(report.problems).toEqual([expect.stringMatching(/rejected the build .*pages\/phone\/index/)]);
    expect(report.passed).toBe(false);
  });

  it('a JS syntax error in the output', async () => {
    const copy = copyOfBuild();
    appendFileSync(join(copy, 'pages', 'index', 'index.js'), '\nfunction (');
    const report = await runWeappCheck(copy);
    expect(report.problems).toEqual([
      expect.stringMatching(/^a JS syntax error WeChat would ship: pages\/index\/index\.js:\d+: /),
    ]);
    expect(report.passed).toBe(false);
  });

  it('a main package over 2 MB', async () => {
    // An image is packaged as it is: the size shows without making the compiler chew on it.
    const report = await runWeappCheck(miniProgram({ 'assets/filler.png': Buffer.alloc(2 * 1024 * 1024 + 1, 7) }));
    expect(report.problems).toEqual([
      expect.stringMatching(/^the main package is 2\d\d\d\.\d KB, over WeChat's 2 MB limit$/),
    ]);
    expect(report.passed).toBe(false);
  });
});

describe('the offline guard of the check', () => {
  it('refuses and records connections and DNS lookups, and lets local IPC through', () => {
    const log = join(tempDir(), 'network.log');
    const script = `
      const net = require('node:net');
      const dns = require('node:dns');
      const outcomes = [];
      const done = () => outcomes.length === 3 && console.log(JSON.stringify(outcomes));
      fetch('https://servicewechat.com/wxa/ci/getattr').then(() => outcomes.push('fetch ok'), (e) => { outcomes.push('fetch ' + (e.cause?.code ?? e.code)); done(); });
      dns.lookup('servicewechat.com', (e) => { outcomes.push('lookup ' + e?.code); done(); });
      const server = net.createServer().listen(${JSON.stringify(join(tempDir(), 'ipc.sock'))}, function () {
        net.connect(this.address()).on('connect', function () { outcomes.push('ipc ok'); this.end(); server.close(); done(); });
      });`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        ...process.env,
        NODE_OPTIONS: `--require ${JSON.stringify(join(clientRoot, 'ship', 'offline-guard.cjs'))}`,
        WXAUTH_OFFLINE_LOG: log,
      },
    });
    expect(JSON.parse(run.stdout).sort()).toEqual(['fetch EOFFLINE', 'ipc ok', 'lookup EOFFLINE']);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort()).toEqual([
      'a DNS lookup of servicewechat.com',
      expect.stringMatching(/^a connection to servicewechat\.com:443$/),
    ]);
  });
});
