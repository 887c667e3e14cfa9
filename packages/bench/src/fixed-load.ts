import { connect, type Socket } from 'node:net';
import { judge } from './gate.js';
import type { LoadOptions, Measurement, RequestPlan } from './load.js';
import { LatencyRecorder } from './stats.js';

const HEAD_END = Buffer.from('\r\n\r\n');
const LENGTH_HEADERS = [Buffer.from('content-length:'), Buffer.from('Content-Length:')];
/** How long the last responses may take once the run's time is up, before they count as timeouts. */
const DRAIN_MS = 2000;

/**
 * The lighter load generator: each connection sends one request built once, its headers fixed
 * (its own token), again as soon as the previous answer is in. No callback per request, no header
 * objects: autocannon's per-request work costs the generator CPU on a 2-core machine, which it
 * takes from the server and which flatters the slower one. Same gate as runLoad.
 */
export function runFixedLoad(plan: RequestPlan, options: LoadOptions): Promise<Measurement> {
  const { hostname, port } = new URL(options.url);
  const latencies = new LatencyRecorder();
  const statuses: Record<string, number> = {};
  let errors = 0;
  let exhausted = false;
  let running = true;
  let outstanding = 0;
  const sockets: Socket[] = [];

  const requests: Buffer[] = [];
  for (let i = 0; i < options.connections; i++) {
    const input = plan.next();
    if (!input) {
      exhausted = true;
      break;
    }
    const lines = [`${plan.method} ${input.path ?? plan.path} HTTP/1.1`, `host: ${hostname}:${port}`];
    for (const [name, value] of Object.entries(input.headers)) lines.push(`${name}: ${value}`);
    if (input.body !== undefined) lines.push(`content-length: ${Buffer.byteLength(input.body)}`);
    requests.push(Buffer.from(`${lines.join('\r\n')}\r\n\r\n${input.body ?? ''}`));
  }

  return new Promise((resolve) => {
    const started = performance.now();
    let stoppedAt: number | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const seconds = ((stoppedAt ?? performance.now()) - started) / 1000;
      for (const socket of sockets) socket.destroy();
      resolve(measure(statuses, latencies, errors, outstanding, seconds, plan.expectStatus, exhausted));
    };

    for (const request of requests) {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true });
      sockets.push(socket);
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        outstanding++;
        sentAt = performance.now();
        socket.write(request);
      };
      socket.once('connect', send);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const headEnd = buffer.indexOf(HEAD_END);
          if (headEnd === -1) return;
          const length = contentLength(buffer, headEnd);
          if (length === undefined) {
            errors++;
            socket.destroy();
            return;
          }
          const total = headEnd + HEAD_END.length + length;
          if (buffer.length < total) return;
          const status = buffer.toString('latin1', 9, 12);
          statuses[status] = (statuses[status] ?? 0) + 1;
          latencies.record(performance.now() - sentAt);
          outstanding--;
          buffer = buffer.subarray(total);
          if (running) send();
          else if (outstanding === 0) finish();
        }
      });
      socket.on('error', () => {
        errors++;
      });
    }

    setTimeout(() => {
      running = false;
      stoppedAt = performance.now();
      if (outstanding === 0) finish();
      setTimeout(finish, DRAIN_MS).unref();
    }, options.duration * 1000);
  });
}

function contentLength(buffer: Buffer, headEnd: number): number | undefined {
  for (const name of LENGTH_HEADERS) {
    const at = buffer.indexOf(name);
    if (at === -1 || at > headEnd) continue;
    const end = buffer.indexOf('\r\n', at);
    const value = Number(buffer.toString('latin1', at + name.length, end).trim());
    return Number.isInteger(value) && value >= 0 ? value : undefined;
  }
  return undefined;
}

function measure(
  statuses: Record<string, number>,
  latencies: LatencyRecorder,
  errors: number,
  timeouts: number,
  seconds: number,
  expectStatus: number,
  exhausted: boolean,
): Measurement {
  const responses = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  const [p50 = Number.NaN, p99 = Number.NaN] = latencies.percentiles([50, 99]);
  return {
    rps: responses / seconds,
    p50,
    p99,
    responses,
    errors,
    timeouts,
    statuses,
    seconds,
    problems: judge({ errors, timeouts, statuses, expectStatus, exhausted }),
  };
}
