import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { judge, parseChildOutcome, type Verdict } from './weapp-check-outcome.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);

/** WeChat's compiler takes 5–10 s on this app (more on a loaded machine); this is for a hang. */
export const CHECK_TIME_LIMIT_MS = 150_000;

export interface CheckReport extends Verdict {
  /** How the check was kept offline. */
  isolation: 'network namespace (unshare -n) + connection guard' | 'connection guard';
  durationMs: number;
  /** The compiler's own output, for a failure's context. */
  output: string;
}

let namespaceWorks: boolean | undefined;
/** `unshare -n` (root, or where user namespaces are allowed) runs the check with no network at all. */
function canUnshareNetwork(): boolean {
  namespaceWorks ??= spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  return namespaceWorks;
}

/**
 * Runs WeChat's compiler (`getCompiledResult`) and `checkCodeQuality` on a weapp build in a child
 * process: offline (a network namespace where possible, and a guard that refuses and records any
 * connection), killed with its process group after `timeLimitMs`.
 */
export async function runWeappCheck(folder: string, timeLimitMs = CHECK_TIME_LIMIT_MS): Promise<CheckReport> {
  const projectPath = resolve(folder);
  const work = mkdtempSync(join(tmpdir(), 'wxauth-weapp-check-'));
  const outcomeFile = join(work, 'outcome.json');
  const offlineLog = join(work, 'offline.log');
  const started = Date.now();
  const isolated = canUnshareNetwork();
  const node = [
    process.execPath,
    '--import',
    pathToFileURL(require.resolve('tsx')).href,
    join(here, 'weapp-check-child.ts'),
    projectPath,
    outcomeFile,
  ];
  const [command = '', ...args] = isolated ? ['unshare', '-n', ...node] : node;
  const guard = `--require ${JSON.stringify(join(here, 'offline-guard.cjs'))}`;
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: [process.env['NODE_OPTIONS'], guard].filter(Boolean).join(' '),
        WXAUTH_OFFLINE_LOG: offlineLog,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = await new Promise<number | 'timeout'>((done) => {
      const timer = setTimeout(() => done('timeout'), timeLimitMs);
      child.on('exit', (code) => {
        clearTimeout(timer);
        done(code ?? 1);
      });
    });
    // The compiler forks workers of its own: end the whole group, whatever happened.
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    const violations = existsSync(offlineLog) ? readFileSync(offlineLog, 'utf8').split('\n').filter(Boolean) : [];
    const base = {
      isolation: isolated ? 'network namespace (unshare -n) + connection guard' : 'connection guard',
      durationMs: Date.now() - started,
      output,
    } as const;
    if (exit === 'timeout') {
      return { ...base, ...judge({ ok: false, message: `no result within ${timeLimitMs / 1000} s` }, violations) };
    }
    if (!existsSync(outcomeFile)) {
      return {
        ...base,
        ...judge({ ok: false, message: `the check process exited with ${exit} and no result` }, violations),
      };
    }
    return { ...base, ...judge(parseChildOutcome(readFileSync(outcomeFile, 'utf8')), violations) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
