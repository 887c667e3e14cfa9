import { Agent, request } from 'node:http';
import { countResponses, judge } from './gate.js';
import type { Measurement, RequestPlan } from './load.js';
import { LatencyRecorder } from './stats.js';

export interface PacedOptions {
  url: string;
  /** Requests per second, sent evenly (open loop: a slow answer does not delay the next send). */
  rate: number;
  /** Seconds. */
  duration: number;
  /** Sockets kept open; a send that finds all of them busy waits for one, which voids the run. */
  sockets: number;
}

/**
 * Latency at a fixed request rate. autocannon's rate limit lets each connection burst its quota at
 * the start of every second, which at "half load" still queues like saturation; the "added p99 on
 * login" figure needs requests arriving steadily, so this sends them on a 1 ms clock instead.
 */
export function runPaced(plan: RequestPlan, options: PacedOptions): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.sockets });
  const latencies = new LatencyRecorder();
  const statuses: Record<string, number> = {};
  let sent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let errors = 0;
  let timeouts = 0;
  let exhausted = false;

  const send = () => {
    const input = plan.next();
    if (!input) {
      exhausted = true;
      return;
    }
    const started = process.hrtime.bigint();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const headers: Record<string, string | number> = { ...input.headers };
    if (input.body !== undefined) headers['content-length'] = Buffer.byteLength(input.body);
    const req = request(
      new URL(input.path ?? plan.path, options.url),
      { method: plan.method, agent, headers, timeout: 10_000 },
      (res) => {
        res.resume();
        res.once('end', () => {
          inFlight--;
          latencies.record(Number(process.hrtime.bigint() - started) / 1e6);
          const status = String(res.statusCode ?? 0);
          statuses[status] = (statuses[status] ?? 0) + 1;
        });
      },
    );
    req.once('timeout', () => {
      timeouts++;
      req.destroy(new Error('timeout'));
    });
    req.once('error', () => {
      inFlight--;
      errors++;
    });
    req.end(input.body);
  };

  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const clock = setInterval(() => {
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      if (elapsed >= options.duration || exhausted) {
        clearInterval(clock);
        waitDrained(() => finish(elapsed));
        return;
      }
      const due = Math.floor(elapsed * options.rate) - sent;
      for (let i = 0; i < due; i++) send();
      sent += due;
    }, 1);

    const waitDrained = (then: () => void) => {
      const deadline = Date.now() + 11_000;
      const poll = setInterval(() => {
        if (inFlight <= 0 || Date.now() > deadline) {
          clearInterval(poll);
          then();
        }
      }, 5);
    };

    const finish = (seconds: number) => {
      agent.destroy();
      const responses = countResponses(statuses);
      const [p50 = Number.NaN, p99 = Number.NaN] = latencies.percentiles([50, 99]);
      const problems = judge({ errors, timeouts, statuses, expectStatus: plan.expectStatus, exhausted });
      if (maxInFlight > options.sockets) {
        problems.push(`could not keep the rate: ${maxInFlight} requests in flight on ${options.sockets} sockets`);
      }
      resolve({ rps: responses / seconds, p50, p99, responses, errors, timeouts, statuses, seconds, problems });
    };
  });
}
