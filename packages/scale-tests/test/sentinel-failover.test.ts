import { startRedisSentinel } from '@wxauth/testkit';
import { describe, it } from 'vitest';
import { failoverUnderLoad } from './support/failover.js';
import { sharedSimulator, useFleet } from './support/stack.js';
import { tourEveryRoute } from './support/tour.js';

const LOGIN_RATE_LIMIT = 5;
const simulator = sharedSimulator();
const stack = useFleet({
  servers: 2,
  start: () => startRedisSentinel({ name: 'wxauth' }),
  redisEnv: (sentinel) => ({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name }),
  env: { LOGIN_RATE_LIMIT: String(LOGIN_RATE_LIMIT) },
});

describe('servers on Redis Sentinel', () => {
  it('ride out the master dying under load: 503s with Retry-After, then back by themselves, every session and route working', async () => {
    const { fleet, topology: sentinel } = stack();
    await failoverUnderLoad(fleet, simulator, sentinel, 'sentinel');
    await tourEveryRoute(fleet, simulator, 'sentinel-tour', LOGIN_RATE_LIMIT);
  });
});
