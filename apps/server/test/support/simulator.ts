import {
  buildSimulator,
  createSimulatorControl,
  type Simulator,
  type SimulatorControl,
  type SimulatorOptions,
  TEST_APP,
} from '@wxauth/wechat-sim';
import { afterEach } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp } from '../helper.js';

export { TEST_APP };

export interface SimulatedWorld {
  /** The server under test, its WeChat being the simulator over real HTTP. */
  app: App;
  sim: SimulatorControl;
  /** A wx.login code for a user of the test app. */
  code(user: string): Promise<string>;
}

/**
 * Per test: a fresh simulator listening on a free port and a server pointed at it through
 * WECHAT_API_BASE (the server never links the simulator). Both are closed after the test.
 */
export function useSimulatedWorld() {
  const open: (App | Simulator)[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((closable) => closable.close()));
  });

  async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorControl> {
    const simulator = buildSimulator(options);
    open.push(simulator);
    const url = await simulator.listen({ port: 0, host: '127.0.0.1' });
    return createSimulatorControl(url);
  }

  async function startServer(sim: SimulatorControl, env: Record<string, string> = {}): Promise<App> {
    const app = await buildTestApp(
      {
        WECHAT_APPID: TEST_APP.appid,
        WECHAT_SECRET: TEST_APP.secret,
        WECHAT_API_BASE: sim.baseUrl,
        ...env,
      },
      { wechat: 'real' },
    );
    open.push(app);
    return app;
  }

  return {
    startSimulator,
    startServer,
    async start(env: Record<string, string> = {}, options: SimulatorOptions = {}): Promise<SimulatedWorld> {
      const sim = await startSimulator(options);
      const app = await startServer(sim, env);
      return { app, sim, code: (user) => sim.login({ appid: TEST_APP.appid, user }) };
    },
  };
}
