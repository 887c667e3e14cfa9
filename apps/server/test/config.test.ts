import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SIMULATOR_DEFAULTS } from '../src/config.js';

const app1 = { WECHAT_APPID: 'wx00000000000000aa', WECHAT_SECRET: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' };
const SECRET = Buffer.alloc(32, 7).toString('base64');
const production = { NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:6390', SESSION_KEY_SECRET: SECRET, ...app1 };
const development = { NODE_ENV: 'development' };

describe('configuration', () => {
  it('defaults to the documented values', () => {
    const config = loadConfig({ ...development, ...app1 });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      production: false,
      session: { idleTtlSeconds: 7200, maxAgeSeconds: 604800, maxPerUser: 10 },
      codeReplayWindowMs: 15_000,
      rateLimits: { login: 30, phone: { session: 5, user: 10 }, decrypt: { session: 30, user: 60 } },
      decryptMaxAgeSeconds: 600,
      docs: true,
      trustProxy: false,
      wechat: { apiBase: 'https://api.weixin.qq.com', apps: [{ appid: app1.WECHAT_APPID }] },
    });
  });

  it('in development without an app, uses the simulator test app and warns', () => {
    const config = loadConfig(development);
    expect(config.wechat.apps).toEqual([{ appid: SIMULATOR_DEFAULTS.appid, secret: SIMULATOR_DEFAULTS.secret }]);
    expect(config.wechat.apiBase).toBe('http://127.0.0.1:3100');
    expect(config.warnings.join('\n')).toMatch(/simulator/);
    expect(config.warnings.join('\n')).toMatch(/REDIS_URL/);
    expect(config.corsOrigins).toEqual(['http://localhost:10086', 'http://127.0.0.1:10086']);
  });

  it('reads several apps from WECHAT_APPS, the first being the default', () => {
    const config = loadConfig({
      ...development,
      WECHAT_APPS:
        'wx00000000000000bb:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, wx00000000000000cc:cccccccccccccccccccccccccccccccc',
    });
    expect(config.wechat.apps.map((app) => app.appid)).toEqual(['wx00000000000000bb', 'wx00000000000000cc']);
    const both = loadConfig({
      ...development,
      ...app1,
      WECHAT_APPS: 'wx00000000000000bb:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    });
    expect(both.wechat.apps.map((app) => app.appid)).toEqual([app1.WECHAT_APPID, 'wx00000000000000bb']);
  });

  it('parses TRUST_PROXY as a hop count or a list, and as true in development only', () => {
    expect(loadConfig({ ...development, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...production, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...production, TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1');
  });

  it('starts in production with Redis, an app and a sealing secret, without CORS or docs', () => {
    const config = loadConfig(production);
    expect(config.production).toBe(true);
    expect(config.corsOrigins).toEqual([]);
    expect(config.docs).toBe(false);
    expect(config.sealing?.current).toHaveLength(32);
    expect(config.warnings).toEqual([]);
    expect(loadConfig({ ...production, DOCS: 'on' }).docs).toBe(true);
  });

  it('regression: unset NODE_ENV meant development; it means production rules', () => {
    expect(() => loadConfig({})).toThrow(/WECHAT_APPID and WECHAT_SECRET \(or WECHAT_APPS\) are required/);
    const { NODE_ENV: _unset, ...unset } = production;
    expect(loadConfig(unset)).toMatchObject({ production: true, corsOrigins: [], docs: false });
    expect(loadConfig({ ...production, NODE_ENV: 'staging' }).production).toBe(true);
  });

  it('regression: production held session keys in clear without SESSION_KEY_SECRET; it refuses to start', () => {
    const { SESSION_KEY_SECRET: _none, ...withoutSecret } = production;
    expect(() => loadConfig(withoutSecret)).toThrow(/SESSION_KEY_SECRET is required unless NODE_ENV=development/);
    // Fewer than 32 bytes of key material is no secret either.
    const short = Buffer.alloc(24, 1).toString('base64');
    expect(() => loadConfig({ ...production, SESSION_KEY_SECRET: short })).toThrow(/at least 32 random bytes/);
    // Longer is fine: the sealing key is derived from whatever material is given.
    const long = Buffer.alloc(64, 1).toString('base64url');
    expect(loadConfig({ ...production, SESSION_KEY_SECRET: long }).sealing?.current).toHaveLength(64);
  });

  it('reads the previous sealing secret beside the current one', () => {
    const previous = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ ...production, SESSION_KEY_SECRET_PREVIOUS: previous }).sealing?.previous).toEqual(
      Buffer.alloc(32, 9),
    );
    const { SESSION_KEY_SECRET: _none, ...withoutSecret } = production;
    expect(() =>
      loadConfig({ ...withoutSecret, NODE_ENV: 'development', SESSION_KEY_SECRET_PREVIOUS: previous }),
    ).toThrow(/SESSION_KEY_SECRET_PREVIOUS is set without SESSION_KEY_SECRET/);
  });

  it('regression: TRUST_PROXY=true let any client pick its IP; production refuses it', () => {
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true is refused/);
  });

  it.each([
    ['http://127.0.0.1:3100', true],
    ['http://127.8.0.1', true],
    ['http://localhost:8080/wechat', true],
    ['http://[::1]:3100', true],
    ['https://api.weixin.qq.com', true],
    ['http://api.weixin.qq.com', false],
    ['http://10.0.0.5:3128', false],
    ['http://127.0.0.1.example.com', false],
  ])('regression: WECHAT_API_BASE %s in production is accepted: %s (https, or http to loopback only)', (base, ok) => {
    const load = () => loadConfig({ ...production, WECHAT_API_BASE: base });
    if (ok) expect(load().wechat.apiBase).toBe(base.replace(/\/+$/, ''));
    else expect(load).toThrow(/WECHAT_API_BASE must be https:\/\//);
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
    expect(loadConfig(development).redis).toBeUndefined();
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
    expect(() => loadConfig({ ...development, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...development, ...env })).toThrow(message);
  });

  it('never puts a Redis password in its error message', () => {
    for (const env of [
      { REDIS_URL: 'redis://a:1', REDIS_PASSWORD: 'zzzz-redis' },
      { REDIS_CLUSTER_NODES: 'a:1,bad', REDIS_PASSWORD: 'zzzz-redis' },
      { REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_PASSWORD: 'zzzz-redis' },
    ]) {
      expect(() => loadConfig({ ...development, ...env })).toThrow(/^(?!.*zzzz)/s);
    }
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ LOGIN_CODE_REPLAY_WINDOW: '31' }, /LOGIN_CODE_REPLAY_WINDOW/],
    [{ PHONE_RATE_LIMIT_SESSION: '0' }, /PHONE_RATE_LIMIT_SESSION/],
    [{ DECRYPT_MAX_AGE: '0' }, /DECRYPT_MAX_AGE/],
    [{ DOCS: 'yes' }, /DOCS/],
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
    [{ NODE_ENV: 'production', ...app1 }, /REDIS_URL is required unless NODE_ENV=development/],
    [{ ...production, CORS_ORIGINS: 'http://x' }, /CORS_ORIGINS is a development setting/],
  ])('refuses %j with one message naming the variable', (env, message) => {
    const withDefaults = { ...development, ...env };
    expect(() => loadConfig(withDefaults)).toThrow(ConfigError);
    expect(() => loadConfig(withDefaults)).toThrow(message);
  });

  it('never puts a secret in its error message', () => {
    const secret = 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
    expect(() => loadConfig({ WECHAT_APPS: `nope:${secret}` })).toThrow(/^(?!.*zzzz)/s);
  });

  it('keeps the session cache on with Redis (SESSION_CACHE_SIZE entries), off when asked, on the memory store and on Cluster', () => {
    expect(loadConfig(production).sessionCache).toEqual({ enabled: true, size: 100_000 });
    expect(loadConfig({ ...production, SESSION_CACHE_SIZE: '500' }).sessionCache).toEqual({ enabled: true, size: 500 });
    expect(loadConfig({ ...production, SESSION_CACHE: 'off' }).sessionCache.enabled).toBe(false);
    expect(() => loadConfig({ ...production, SESSION_CACHE: 'yes' })).toThrow(/SESSION_CACHE/);
    expect(() => loadConfig({ ...production, SESSION_CACHE_SIZE: '0' })).toThrow(/SESSION_CACHE_SIZE/);
    expect(loadConfig(development).sessionCache.enabled).toBe(false);
    const { REDIS_URL: _url, ...clusterless } = production;
    const cluster = loadConfig({ ...clusterless, REDIS_CLUSTER_NODES: 'a:7000' });
    expect(cluster.sessionCache.enabled).toBe(false);
    // Not silently: start-up logs why.
    expect(cluster.warnings.join('\n')).toMatch(/SESSION_CACHE is off on Redis Cluster/);
    const sentinel = loadConfig({ ...clusterless, REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_NAME: 'm' });
    expect(sentinel.sessionCache.enabled).toBe(true);
  });
});
