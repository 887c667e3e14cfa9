import { Agent, request } from 'node:http';
import { serverSessions } from './accounts.js';
import type { RevocationResult } from './summary.js';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request on a kept-alive connection; resolves with the status once the body is in. */
function send(base: string, method: 'GET' | 'POST', path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method, agent, headers: { authorization: `Bearer ${token}`, 'content-length': '0' }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.once('error', reject);
    req.end();
  });
}

async function expectStatus(what: string, got: Promise<number>, status: number) {
  const actual = await got;
  if (actual !== status) throw new Error(`revocation: ${what}: expected ${status}, got ${actual}`);
}

/**
 * Revocation with the session cache, across instances: for each trial a session is checked twice
 * on B (read, then answered from B's memory), logged out on A, and checked on B again until it
 * answers 401. The time from A's logout answer to B's first 401 is the figure; a first answer that
 * is not 401 is a stale hit and is counted.
 */
export async function measureRevocation(
  a: string,
  b: string,
  simUrl: string,
  trials: number,
): Promise<RevocationResult> {
  const tokens = await serverSessions(a, simUrl, trials);
  const latencies: number[] = [];
  let stale = 0;
  for (const token of tokens) {
    await expectStatus('check on B', send(b, 'GET', '/auth/session', token), 200);
    await expectStatus('check on B', send(b, 'GET', '/auth/session', token), 200);
    await expectStatus('logout on A', send(a, 'POST', '/auth/logout', token), 204);
    const answered = performance.now();
    let status = await send(b, 'GET', '/auth/session', token);
    if (status !== 401) stale++;
    for (let tries = 0; status === 200 && tries < 10_000; tries++)
      status = await send(b, 'GET', '/auth/session', token);
    if (status !== 401) throw new Error(`revocation: B answered ${status} after A's logout`);
    latencies.push(performance.now() - answered);
  }
  const sorted = latencies.sort((x, y) => x - y);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return { trials, p50: at(50), p99: at(99), max: sorted.at(-1) ?? Number.NaN, stale };
}
