import { setTimeout as sleep } from 'node:timers/promises';
import { type Endpoints, ErrorBodySchema, endpoints, LoginResponseSchema } from '@wxauth/contracts';
import { Value } from 'typebox/value';

/**
 * Longer than any answer may take, even on a CPU-starved CI machine where answers take a second or
 * more under load: a request still waiting then counts as a hang.
 */
export const HANG_MS = 10_000;

export interface Reply {
  status: number;
  body: unknown;
  retryAfter: string | null;
  /** How long the answer took. */
  ms: number;
}

export interface CallOptions {
  body?: object;
  token?: string;
  /** The client IP the server sees (every server trusts X-Forwarded-For from loopback). */
  ip?: string;
}

/**
 * One request to a server, as a mini-program would send it. A network failure or no answer within
 * HANG_MS is thrown: the tests count it as a failure of its own kind, never as a status.
 */
export async function call(base: string, route: keyof Endpoints, options: CallOptions = {}): Promise<Reply> {
  const { method, url } = endpoints[route];
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.ip !== undefined) headers['x-forwarded-for'] = options.ip;
  const started = performance.now();
  const response = await fetch(`${base}${url}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(HANG_MS),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? null : JSON.parse(text),
    retryAfter: response.headers.get('retry-after'),
    ms: performance.now() - started,
  };
}

/**
 * `call`, retried on 503 the way the mini-program's client does (3 retries, ≈ 0.4 s, 0.8 s, 1.6 s
 * apart): for checks of behaviour, where a Redis command timed out on a CPU-starved CI machine is
 * not what is being tested. The failover tests count 503s with `call` instead.
 */
export async function callRetrying(base: string, route: keyof Endpoints, options: CallOptions = {}): Promise<Reply> {
  for (let retry = 0; ; retry++) {
    const reply = await call(base, route, options);
    if (reply.status !== 503 || retry === 3) return reply;
    await sleep(400 * 2 ** retry);
  }
}

/** The session token of a 200 login reply; throws with the reply otherwise. */
export function tokenOf(reply: Reply): string {
  if (reply.status !== 200 || !Value.Check(LoginResponseSchema, reply.body)) {
    throw new Error(`login failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply.body.token;
}

/** The contract's error code of an error reply, if it has one. */
export function errorCode(reply: Reply): string | undefined {
  return Value.Check(ErrorBodySchema, reply.body) ? reply.body.error.code : undefined;
}

let lastIp = 0;
/** A client IP no other request of this process used: each test or user has its own rate-limit counter. */
export function freshIp(): string {
  lastIp += 1;
  return `10.${(lastIp >> 16) & 255}.${(lastIp >> 8) & 255}.${lastIp & 255}`;
}
