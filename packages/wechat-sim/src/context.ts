import { AccessTokens } from './access-tokens.js';
import type { Clock } from './clock.js';
import { FaultBoard } from './faults.js';
import type { AppRecord, WorldConfig } from './options.js';
import { Users } from './users.js';

/** Everything one simulator instance knows; nothing is shared between instances. */
export interface SimContext {
  readonly config: WorldConfig;
  readonly clock: Clock;
  readonly apps: Map<string, AppRecord>;
  readonly users: Users;
  readonly tokens: AccessTokens;
  readonly faults: FaultBoard;
  reset(): void;
}

export function createContext(config: WorldConfig, clock: Clock): SimContext {
  const apps = new Map(config.apps);
  const users = new Users(clock, config, apps);
  const tokens = new AccessTokens(clock, config.tokenTtlMs);
  const faults = new FaultBoard();
  return {
    config,
    clock,
    apps,
    users,
    tokens,
    faults,
    reset() {
      apps.clear();
      for (const [appid, app] of config.apps) apps.set(appid, app);
      users.reset();
      tokens.reset();
      faults.reset();
      clock.reset();
    },
  };
}
