import autocannon from 'autocannon';
import { countResponses, judge } from './gate.js';
import { LatencyRecorder } from './stats.js';

/**
 * The load generator: autocannon, asking the plan for each request's headers (a callback per
 * request), or fixed-load.ts, each connection repeating one request built up front.
 */
export type Rig = 'callback' | 'fixed';

/** What one request carries; produced fresh for every request so that tokens and codes rotate. */
export interface RequestInput {
  headers: Record<string, string>;
  body?: string;
  /** Overrides the plan's path (with a query string, say). */
  path?: string;
}

export interface RequestPlan {
  method: 'GET' | 'POST';
  path: string;
  expectStatus: number;
  /** The next request's headers and body; undefined when the inputs (e.g. one-time codes) ran out. */
  next(): RequestInput | undefined;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Requests per second over all connections; unset = as fast as the server answers. */
  overallRate?: number;
}

export interface Measurement {
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  responses: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  seconds: number;
  /** Why the run is void; empty for a valid run. */
  problems: string[];
}

/**
 * One autocannon run from this process. No pipelining: a mini-program client sends one request
 * per connection at a time. The run is checked against its own gate: no errors or timeouts, every
 * response the expected status, and inputs that lasted the whole run.
 */
export function runLoad(plan: RequestPlan, options: LoadOptions): Promise<Measurement> {
  const latencies = new LatencyRecorder();
  let exhausted = false;
  let stop = () => {};

  const request: autocannon.Request = {
    method: plan.method,
    path: plan.path,
    setupRequest: (req) => {
      const input = plan.next();
      if (!input) {
        // Keep sending something well-formed until the stop lands; the run is void anyway.
        exhausted = true;
        stop();
        return req;
      }
      req.headers = { ...req.headers, ...input.headers };
      if (input.body !== undefined) req.body = input.body;
      if (input.path !== undefined) req.path = input.path;
      return req;
    },
  };

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.duration,
        pipelining: 1,
        requests: [request],
        ...(options.overallRate ? { overallRate: Math.max(1, Math.round(options.overallRate)) } : {}),
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve(measure(result, latencies, plan.expectStatus, exhausted));
      },
    );
    stop = () => instance.stop();
    if (exhausted) stop();
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.record(responseTime));
  });
}

function measure(
  result: autocannon.Result,
  latencies: LatencyRecorder,
  expectStatus: number,
  exhausted: boolean,
): Measurement {
  const statuses: Record<string, number> = {};
  for (const [status, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = stat.count ?? 0;
  const responses = countResponses(statuses);
  const [p50 = Number.NaN, p99 = Number.NaN] = latencies.percentiles([50, 99]);

  const problems = judge({
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    expectStatus,
    exhausted,
  });

  return {
    rps: responses / result.duration,
    p50,
    p99,
    responses,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    seconds: result.duration,
    problems,
  };
}
