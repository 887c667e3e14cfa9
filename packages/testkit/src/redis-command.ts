import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One command through `redis-cli` (Debian's redis-tools, which redis-server depends on) against
 * 127.0.0.1:<port>; resolves to its raw output. Rejects when redis-cli fails or runs past timeoutMs.
 */
export function redisCli(port: number, args: readonly string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(port), ...args],
      { timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The same, or null when it fails (a node that is down, a check that may fail while waiting). */
export function tryRedisCli(port: number, args: readonly string[], timeoutMs = 1000): Promise<string | null> {
  return redisCli(port, args, timeoutMs).catch(() => null);
}

/** `field:value` lines of INFO (or CLUSTER INFO) as a map. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** A flat `name value name value …` reply (SENTINEL MASTER), one item per line, as a map. */
export function parsePairs(text: string): Map<string, string> {
  const items = text.split(/\r?\n/);
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < items.length; index += 2) fields.set(items[index] ?? '', items[index + 1] ?? '');
  return fields;
}

/** Polls `check` every 50 ms until it returns a value other than null, or throws naming `what`. */
export async function waitUntil<T>(check: () => Promise<T | null>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until a replica of the master on `port` has acknowledged every write the master took (WAIT 1). */
export async function waitForReplica(port: number, timeoutMs: number): Promise<void> {
  const acknowledged = await redisCli(port, ['WAIT', '1', String(timeoutMs)], timeoutMs + 2000);
  if (Number(acknowledged.trim()) < 1) throw new Error(`no replica of port ${port} acknowledged its writes in time`);
}
