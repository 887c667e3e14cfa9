import { TEST_APP } from '@wxauth/wechat-sim';
import { mintCodes } from './accounts.js';
import type { Measurement, RequestInput, RequestPlan, Rig } from './load.js';

export type VariantId =
  | 'node-http'
  | 'fastify'
  | 'session-redis'
  | 'session-redis-nocache'
  | 'session-memory'
  | 'express'
  | 'login'
  | 'invalid-token'
  | 'login-paced'
  | 'simulator-paced';

export interface RunShape {
  seconds: number;
  /** Requests per second of a paced run; unset = as fast as the server answers. */
  rate?: number;
}

/** A server under load: where to send requests, and which process to charge their CPU to. */
export interface Target {
  url: string;
  pid: number;
}

export interface Variant {
  id: VariantId;
  title: string;
  url: string;
  pid: number;
  plan: RequestPlan;
  /** The load generators it runs under, each every round; autocannon's alone by default. */
  rigs?: readonly Rig[];
  /** Runs before each run, e.g. to mint that run's one-time codes; rate is set for paced runs. */
  prepare?: (run: RunShape) => Promise<void>;
  /** Sees each run's result, e.g. to size the next run's codes. */
  observe?: (measurement: Measurement) => void;
}

/** Cycles through values with one counter for all connections: consecutive requests, different sessions. */
export function rotate<T>(values: readonly T[]): () => T {
  if (values.length === 0) throw new Error('nothing to rotate through');
  let index = 0;
  return () => {
    const value = values[index++ % values.length];
    if (value === undefined) throw new Error('unreachable: index within bounds');
    return value;
  };
}

export function sessionCheck(id: VariantId, title: string, target: Target, tokens: readonly string[], expect = 200) {
  const token = rotate(tokens);
  const plan: RequestPlan = {
    method: 'GET',
    path: '/auth/session',
    expectStatus: expect,
    next: () => ({ headers: { authorization: `Bearer ${token()}` } }),
  };
  return { id, title, ...target, plan } satisfies Variant;
}

export function expressCheck(target: Target, cookies: readonly string[]): Variant {
  const cookie = rotate(cookies);
  const plan: RequestPlan = {
    method: 'GET',
    path: '/auth/session',
    expectStatus: 200,
    next: () => ({ headers: { cookie: cookie() } }),
  };
  return { id: 'express', title: '5 Express + express-session + connect-redis', ...target, plan };
}

/**
 * One-time codes for a run, minted just before it (WeChat codes live 5 minutes). The count is
 * the fastest rate seen × duration × 2; a run that still runs out is void, not short.
 */
class CodeSupply {
  private codes: string[] = [];
  private index = 0;
  private rate = 1000;
  private runs = 0;

  constructor(
    private readonly simUrl: string,
    private readonly connections: number,
  ) {}

  next(): string | undefined {
    return this.codes[this.index++];
  }

  async refill(run: RunShape): Promise<void> {
    // Twice the fastest rate seen: on a shared machine one round can run at double the last one's
    // rate. More while the only rate seen is the short warm-up's, which understates what the first
    // measured round reaches on a fast machine.
    const headroom = run.rate === undefined && this.runs <= 1 ? 3.5 : 2;
    const count = Math.ceil((run.rate ?? this.rate) * run.seconds * headroom) + 2 * this.connections;
    this.codes = await mintCodes(this.simUrl, count);
    this.index = 0;
  }

  observe(measurement: Measurement): void {
    this.runs++;
    const ranOut = this.index > this.codes.length;
    // The fastest rate seen so far: a machine that was busy for one run is not busy for the next.
    this.rate = ranOut ? this.rate * 2 : Math.max(this.rate, measurement.rps);
  }
}

export function loginVariant(server: Target, simUrl: string, connections: number): Variant {
  const supply = new CodeSupply(simUrl, connections);
  const plan: RequestPlan = {
    method: 'POST',
    path: '/auth/login',
    expectStatus: 200,
    next: (): RequestInput | undefined => {
      const code = supply.next();
      if (code === undefined) return undefined;
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, appid: TEST_APP.appid }),
      };
    },
  };
  return {
    id: 'login',
    title: '6 POST /auth/login (simulator upstream)',
    ...server,
    plan,
    prepare: (run) => supply.refill(run),
    observe: (measurement) => supply.observe(measurement),
  };
}

/**
 * Login and the simulator's own jscode2session at one fixed rate (half the login throughput):
 * the difference of their p99s is what the server adds on top of WeChat.
 */
export function pacedPair(server: Target, simulator: Target, connections: number, rate: number): [Variant, Variant] {
  const simUrl = simulator.url;
  const login = loginVariant(server, simUrl, connections);
  const supply = new CodeSupply(simUrl, connections);
  const upstream: RequestPlan = {
    method: 'GET',
    path: '/sns/jscode2session',
    expectStatus: 200,
    next: () => {
      const code = supply.next();
      if (code === undefined) return undefined;
      const query = new URLSearchParams({
        appid: TEST_APP.appid,
        secret: TEST_APP.secret,
        js_code: code,
        grant_type: 'authorization_code',
      });
      return { headers: {}, path: `/sns/jscode2session?${query}` };
    },
  };
  return [
    { ...login, id: 'login-paced', title: `6 POST /auth/login at ${Math.round(rate)} req/s (half load)` },
    {
      id: 'simulator-paced',
      title: `6 simulator jscode2session at ${Math.round(rate)} req/s`,
      ...simulator,
      plan: upstream,
      prepare: (run) => supply.refill(run),
      observe: (measurement) => supply.observe(measurement),
    },
  ];
}
