import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SIMULATOR_DEFAULTS } from '../src/config.js';

const app1 = { WECHAT_APPID: 'wx00000000000000aa', WECHAT_SECRET: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' };
const production = { NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:6390', ...app1 };

describe('configuration', () => {
  it('defaults to the documented values', () => {
    const config = loadConfig({ ...app1 });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      production: false,
      session: { idleTtlSeconds: 7200, maxAgeSeconds: 604800, maxPerUser: 10 },
      loginRateLimit: 30,
      trustProxy: false,
      wechat: { apiBase: 'https://api.weixin.qq.com', apps: [{ appid: app1.WECHAT_APPID }] },
    });
  });

  it('in development without an app, uses the simulator test app and warns', () => {
    const config = loadConfig({});
    expect(config.wechat.apps).toEqual([{ appid: SIMULATOR_DEFAULTS.appid, secret: SIMULATOR_DEFAULTS.secret }]);
    expect(config.wechat.apiBase).toBe('http://127.0.0.1:3100');
    expect(config.warnings.join('\n')).toMatch(/simulator/);
    expect(config.warnings.join('\n')).toMatch(/REDIS_URL/);
    expect(config.corsOrigins).toEqual(['http://localhost:10086', 'http://127.0.0.1:10086']);
  });

  it('reads several apps from WECHAT_APPS, the first being the default', () => {
    const config = loadConfig({
      WECHAT_APPS:
        'wx00000000000000bb:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, wx00000000000000cc:cccccccccccccccccccccccccccccccc',
    });
    expect(config.wechat.apps.map((app) => app.appid)).toEqual(['wx00000000000000bb', 'wx00000000000000cc']);
    const both = loadConfig({ ...app1, WECHAT_APPS: 'wx00000000000000bb:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' });
    expect(both.wechat.apps.map((app) => app.appid)).toEqual([app1.WECHAT_APPID, 'wx00000000000000bb']);
  });

  it('parses TRUST_PROXY as a boolean, a hop count or a list', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy).toBe('10.0.0.0/8');
  });

  it('starts in production with Redis and an app, without CORS', () => {
    const config = loadConfig(production);
    expect(config.production).toBe(true);
    expect(config.corsOrigins).toEqual([]);
    expect(config.warnings).toEqual([]);
  });

  it('reaches Redis in one of three modes: a URL, Sentinel or Cluster', () => {
    expect(loadConfig({ ...production }).redis).toEqual({ mode: 'url', url: 'redis://127.0.0.1:6390' });
    const { REDIS_URL: _url, ...noRedis } = production;
    expect(
      loadConfig({
        ...noRedis,
        REDIS_SENTINELS: '10.0.0.1:26379, sentinel-2.internal:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'mymaster',
        REDIS_PASSWORD: 'pw',
        REDIS_SENTINEL_PASSWORD: 'spw',
      }).redis,
    ).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-2.internal', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
      password: 'pw',
      sentinelPassword: 'spw',
    });
    expect(loadConfig({ ...noRedis, REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001' }).redis).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      password: undefined,
    });
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it.each([
    [{ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'a:1' }, /not REDIS_URL and REDIS_CLUSTER_NODES/],
    [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'a:1' }, /not REDIS_SENTINELS and/],
    [{ REDIS_SENTINELS: 'a:26379' }, /REDIS_SENTINEL_NAME .* is required with REDIS_SENTINELS/],
    [{ REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINEL_NAME is set without REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINEL_PASSWORD: 'x' }, /REDIS_SENTINEL_PASSWORD is set without/],
    [{ REDIS_URL: 'redis://a:1', REDIS_PASSWORD: 'x' }, /with REDIS_URL the password goes in the URL/],
    [{ REDIS_PASSWORD: 'x' }, /REDIS_PASSWORD is set without REDIS_SENTINELS or REDIS_CLUSTER_NODES/],
    [{ REDIS_CLUSTER_NODES: 'a:1,b' }, /REDIS_CLUSTER_NODES entry 2 \("b"\) is not host:port/],
    [{ REDIS_CLUSTER_NODES: 'a:70000' }, /REDIS_CLUSTER_NODES entry 1/],
    [{ REDIS_CLUSTER_NODES: ' , ' }, /REDIS_CLUSTER_NODES lists no host:port/],
    [{ REDIS_SENTINELS: 'a:b:1', REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINELS entry 1/],
    [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'my master' }, /REDIS_SENTINEL_NAME/],
  ])('refuses the Redis settings %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never puts a Redis password in its error message', () => {
    for (const env of [
      { REDIS_URL: 'redis://a:1', REDIS_PASSWORD: 'zzzz-redis' },
      { REDIS_CLUSTER_NODES: 'a:1,bad', REDIS_PASSWORD: 'zzzz-redis' },
      { REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_PASSWORD: 'zzzz-redis' },
    ]) {
      expect(() => loadConfig(env)).toThrow(/^(?!.*zzzz)/s);
    }
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ SESSION_IDLE_TTL: '0' }, /SESSION_IDLE_TTL/],
    [{ SESSION_IDLE_TTL: '100', SESSION_MAX_AGE: '50' }, /SESSION_IDLE_TTL \(100\) must not exceed SESSION_MAX_AGE/],
    [{ LOGIN_RATE_LIMIT: '1.5' }, /LOGIN_RATE_LIMIT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL/],
    [{ WECHAT_APPID: 'wx00000000000000aa' }, /WECHAT_APPID and WECHAT_SECRET must be set together/],
    [{ WECHAT_APPS: 'wx00000000000000aa' }, /WECHAT_APPS entry 1/],
    [{ WECHAT_APPS: 'app:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, /"app" is not a mini-program appid/],
    [{ ...app1, WECHAT_APPS: `${app1.WECHAT_APPID}:${app1.WECHAT_SECRET}` }, /configured twice/],
    [{ SESSION_KEY_SECRET: 'c2hvcnQ=' }, /SESSION_KEY_SECRET/],
    [
      { NODE_ENV: 'production', REDIS_URL: 'redis://x:1' },
      /WECHAT_APPID and WECHAT_SECRET \(or WECHAT_APPS\) are required/,
    ],
    [{ NODE_ENV: 'production', ...app1 }, /REDIS_URL is required when NODE_ENV=production/],
    [{ ...production, CORS_ORIGINS: 'http://x' }, /CORS_ORIGINS is a development setting/],
  ])('refuses %j with one message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never puts a secret in its error message', () => {
    const secret = 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
    expect(() => loadConfig({ WECHAT_APPS: `nope:${secret}` })).toThrow(/^(?!.*zzzz)/s);
  });
});
