import { setTimeout as sleep } from 'node:timers/promises';
import { call, errorCode, freshIp, HANG_MS } from './api.js';

export interface Sample {
  route: 'session' | 'login';
  /** Which server (index in the fleet) answered. */
  server: number;
  /** ms since the load started. */
  startedAt: number;
  ms: number;
  /** An HTTP status, or what went wrong without one. */
  outcome: number | 'hang' | 'network error';
  code: string | undefined;
  retryAfter: string | null;
}

export interface LoadOptions {
  servers: readonly string[];
  /** Live sessions to check (GET /auth/session), in turn. */
  tokens: readonly string[];
  /** `wx.login` codes, each used by one login (POST /auth/login), in turn. */
  codes: readonly string[];
  ratePerSecond: number;
  /** One request in `loginEvery` is a login (while codes last), the others session checks. */
  loginEvery: number;
  /** Requests in flight at most: a server that stalls slows the load rather than piling it up. */
  maxInFlight?: number;
}

export interface Load {
  readonly samples: readonly Sample[];
  /** ms since the load started. */
  now(): number;
  stop(): Promise<readonly Sample[]>;
}

/**
 * A steady stream of requests, spread round-robin over the servers at a fixed rate: mostly session
 * checks, some logins (each with its own code and client IP). Every answer is recorded.
 */
export function startLoad(options: LoadOptions): Load {
  const { servers, tokens, codes, ratePerSecond, loginEvery, maxInFlight = 64 } = options;
  const origin = performance.now();
  const now = () => performance.now() - origin;
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let logins = 0;
  let stopped = false;

  const send = (index: number) => {
    const server = index % servers.length;
    const base = servers[server] ?? '';
    const code = index % loginEvery === 0 ? codes[logins++] : undefined;
    const route = code === undefined ? 'session' : 'login';
    const startedAt = now();
    const request = (
      code === undefined
        ? call(base, 'session', { token: tokens[index % tokens.length] ?? '' })
        : call(base, 'login', { body: { code }, ip: freshIp() })
    ).then(
      (reply) => {
        samples.push({
          route,
          server,
          startedAt,
          ms: reply.ms,
          outcome: reply.status,
          code: errorCode(reply),
          retryAfter: reply.retryAfter,
        });
      },
      (error: unknown) => {
        const hang = error instanceof Error && error.name === 'TimeoutError';
        samples.push({
          route,
          server,
          startedAt,
          ms: now() - startedAt,
          outcome: hang ? 'hang' : 'network error',
          code: undefined,
          retryAfter: null,
        });
      },
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  const pacing = (async () => {
    while (!stopped) {
      const due = Math.floor((now() * ratePerSecond) / 1000);
      while (sent < due && inFlight.size < maxInFlight) send(sent++);
      await sleep(5);
    }
  })();

  return {
    samples,
    now,
    async stop() {
      stopped = true;
      await pacing;
      // Anything still in flight ends within HANG_MS (then it is a hang).
      await Promise.race([Promise.all(inFlight), sleep(HANG_MS + 1000)]);
      return samples;
    },
  };
}

/**
 * Keeps the load running until every server has answered only 200 for `quietMs` (all requests
 * started in that span, at least one per server), or throws after timeoutMs. Resolves to when that
 * span began (ms since the load started).
 */
export async function waitUntilAllHealthy(
  load: Load,
  serverCount: number,
  quietMs: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = load.now() + timeoutMs;
  for (;;) {
    const since = load.now() - quietMs - 1000;
    // Requests that started in the quiet span and have answered (an answer takes well under 1 s).
    const recent = load.samples.filter((sample) => sample.startedAt >= since && sample.startedAt < since + quietMs);
    const everyServer = new Set(recent.map((sample) => sample.server)).size === serverCount;
    if (everyServer && recent.every((sample) => sample.outcome === 200)) return since;
    if (load.now() > deadline) {
      const seen = recent.map((sample) => `server ${sample.server + 1} ${sample.route} ${sample.outcome}`);
      const counts = [...new Set(seen)].map((kind) => `${seen.filter((each) => each === kind).length}× ${kind}`);
      throw new Error(
        `the servers did not answer only 200 for ${quietMs} ms within ${timeoutMs / 1000} s; last: ${counts.join(', ')}`,
      );
    }
    await sleep(100);
  }
}

export interface OutageReport {
  requests: number;
  /** Requests answered 503 STORE_UNAVAILABLE. */
  unavailable: number;
  /** Answers that are neither 200 nor a proper 503 (a 500, a 503 without Retry-After, a hang...). */
  wrong: readonly Sample[];
  /** When the first and the last request answered 503 were sent, ms after the kill; null without any. */
  firstFailureMs: number | null;
  lastFailureMs: number | null;
  slowestMs: number;
}

/** What the load saw around a failover that began (the master killed) at `killedAt`. */
export function outageReport(samples: readonly Sample[], killedAt: number): OutageReport {
  const properUnavailable = (sample: Sample) =>
    sample.outcome === 503 && sample.code === 'STORE_UNAVAILABLE' && sample.retryAfter !== null;
  const failures = samples.filter(properUnavailable);
  const starts = failures.map((sample) => sample.startedAt - killedAt);
  return {
    requests: samples.length,
    unavailable: failures.length,
    wrong: samples.filter((sample) => sample.outcome !== 200 && !properUnavailable(sample)),
    firstFailureMs: failures.length === 0 ? null : Math.round(Math.min(...starts)),
    lastFailureMs: failures.length === 0 ? null : Math.round(Math.max(...starts)),
    slowestMs: Math.round(Math.max(0, ...samples.map((sample) => sample.ms))),
  };
}
