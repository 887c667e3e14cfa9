import { type Stack, startStack } from '@wxauth/testkit';
import { createSimulatorControl, type SimulatorControl, TEST_APP } from '@wxauth/wechat-sim';
import { postJson } from './http.js';

/** The Redis client's command timeout in the server (plugins/store.ts createRedisClient). */
export const COMMAND_TIMEOUT_MS = 750;

export interface FaultStack extends Stack {
  readonly sim: SimulatorControl;
  /** Logs a simulated user in over HTTP; the session token. */
  login(user: string): Promise<string>;
}

/**
 * A production-mode stack of its own for one test file: limits out of the way (the load is the
 * point, not the limits), everything else as deployed.
 */
export async function startFaultStack(serverEnv: Record<string, string> = {}): Promise<FaultStack> {
  const stack = await startStack({
    from: import.meta.url,
    serverEnv: {
      LOGIN_RATE_LIMIT: '1000000',
      PHONE_RATE_LIMIT_SESSION: '1000000',
      PHONE_RATE_LIMIT_USER: '1000000',
      DECRYPT_RATE_LIMIT_SESSION: '1000000',
      DECRYPT_RATE_LIMIT_USER: '1000000',
      ...serverEnv,
    },
  });
  const sim = createSimulatorControl(stack.simulator.url);
  return {
    ...stack,
    sim,
    async login(user) {
      const code = await sim.login({ appid: TEST_APP.appid, user });
      const answer = await postJson(`${stack.server.url}/auth/login`, { code });
      if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${answer.body}`);
      const token: unknown = Reflect.get(JSON.parse(answer.body), 'token');
      if (typeof token !== 'string') throw new Error(`no token in ${answer.body}`);
      return token;
    },
  };
}
