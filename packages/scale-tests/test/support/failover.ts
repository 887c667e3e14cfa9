import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { callRetrying, freshIp, HANG_MS, tokenOf } from './api.js';
import { outageReport, type Sample, startLoad, waitUntilAllHealthy } from './load.js';
import { type Fleet, loginCode, type Simulator } from './stack.js';

export interface Topology {
  /** Waits until the replicas hold every write acknowledged so far. */
  waitForReplication(): Promise<void>;
  /** Kills a master; resolves to its port. */
  killMaster(): Promise<number>;
  /** Resolves once a replica has replaced the master that was on `port`. */
  waitForFailover(port: number): Promise<number>;
}

// A few hundred requests a second, one in ten a login, for the seconds a failover takes.
const RATE_PER_SECOND = 250;
const LOGIN_EVERY = 10;
const WARM_UP_MS = 1000;
// Recovered: every server answered only 200 for this long.
const QUIET_MS = 1000;
const RECOVERY_TIMEOUT_MS = 20_000;

const signed = (ms: number) => `${ms < 0 ? '−' : '+'}${Math.abs(Math.round(ms))}`;

/**
 * Kills the master under steady load and checks what the servers do: each request answers 200
 * or 503 STORE_UNAVAILABLE with Retry-After, never a 500 and never a hang; the servers recover by
 * themselves once a replica is promoted; sessions created (and replicated) before the failover
 * still work on every server after it. Prints the outage window it saw and returns its report.
 */
export async function failoverUnderLoad(fleet: Fleet, simulator: Simulator, topology: Topology, label: string) {
  const bases = fleet.servers.map((server) => server.url);
  const before = await Promise.all(
    Array.from({ length: 30 }, async (_, user) => {
      const code = await loginCode(simulator, `${label}-before-${user}`);
      return tokenOf(await callRetrying(fleet.next(), 'login', { body: { code }, ip: freshIp() }));
    }),
  );
  await topology.waitForReplication();
  // More than the load's logins can use (one in LOGIN_EVERY requests, for well under 10 s).
  const codes = await Promise.all(
    Array.from({ length: 300 }, (_, user) => loginCode(simulator, `${label}-load-${user}`)),
  );

  const load = startLoad({
    servers: bases,
    tokens: before,
    codes,
    ratePerSecond: RATE_PER_SECOND,
    loginEvery: LOGIN_EVERY,
  });
  let samples: readonly Sample[] = [];
  let killedAt = 0;
  let promotedAt = 0;
  let recoveredAt = 0;
  try {
    await sleep(WARM_UP_MS);
    const killed = await topology.killMaster();
    // The master is gone by now (its port closed): times below count from here.
    killedAt = load.now();
    await topology.waitForFailover(killed);
    promotedAt = load.now();
    recoveredAt = await waitUntilAllHealthy(load, bases.length, QUIET_MS, RECOVERY_TIMEOUT_MS).catch(
      (error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${fleet.output()}`);
      },
    );
  } finally {
    samples = await load.stop();
  }

  const report = outageReport(samples, killedAt);
  const seconds = (samples.at(-1)?.startedAt ?? 0) / 1000;
  const window =
    report.firstFailureMs === null
      ? 'no 503 at all'
      : `requests sent from ${signed(report.firstFailureMs)} ms to ${signed(report.lastFailureMs ?? 0)} ms answered 503 STORE_UNAVAILABLE`;
  console.log(
    `[${label}] master killed under load (${report.requests} requests in ${seconds.toFixed(1)} s, ` +
      `${Math.round(report.requests / seconds)}/s over ${bases.length} servers): ${window} ` +
      `(${report.unavailable} of them); replica promoted (seen by the test) at ${signed(promotedAt - killedAt)} ms; ` +
      `every server answering only 200 again from ${signed(recoveredAt - killedAt)} ms; ` +
      `slowest answer ${report.slowestMs} ms`,
  );

  expect(report.wrong.slice(0, 5), fleet.output()).toEqual([]);
  expect(report.slowestMs).toBeLessThan(HANG_MS);
  expect(report.unavailable).toBeGreaterThan(0);

  const after = await Promise.all(
    before.flatMap((token) => bases.map((base) => callRetrying(base, 'session', { token }))),
  );
  expect(after.map((reply) => reply.status)).toEqual(after.map(() => 200));
  return report;
}
