import {
  buildSimulator,
  createSimulatorControl,
  type Simulator,
  type SimulatorControl,
  type SimulatorOptions,
  TEST_APP,
} from '@wxauth/wechat-sim';
import { createWeChatClient, type WeChatClient, type WeChatClientOptions } from '../src/index.js';

export { TEST_APP };
export const { appid, secret } = TEST_APP;

/** One clock for the simulator and the clients of a test: moving it ages codes and tokens on both sides. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

export interface Upstream {
  sim: Simulator;
  url: string;
  control: SimulatorControl;
  clock: TestClock;
  /** A client of the test app against this simulator; closed by `stop`. */
  client(options?: Partial<WeChatClientOptions>): WeChatClient;
  /** What `wx.login` gives `user`'s mini program. */
  login(user: string): Promise<string>;
  stop(): Promise<void>;
}

/** A simulator on a loopback port of its own, and clients that reach it over real HTTP. */
export async function startUpstream(options: SimulatorOptions = {}): Promise<Upstream> {
  const clock = testClock();
  const sim = buildSimulator({ now: clock.now, ...options });
  const url = await sim.listen({ port: 0, host: '127.0.0.1' });
  const control = createSimulatorControl(url);
  const clients: WeChatClient[] = [];
  return {
    sim,
    url,
    control,
    clock,
    client(overrides = {}) {
      const client = createWeChatClient({
        appid,
        secret,
        baseUrl: url,
        timeoutMs: 1000,
        retry: { attempts: 3, budgetMs: 2000 },
        now: clock.now,
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    login: (user) => control.login({ appid, user }),
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await sim.close();
    },
  };
}

/** The rejection of `promise`, to assert on; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** What `thunk` throws, to assert on; fails the test if it returns. */
export function thrown(thunk: () => unknown): unknown {
  try {
    thunk();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
