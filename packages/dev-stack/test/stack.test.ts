import { describe, expect, it } from 'vitest';
import { bannerText, readPorts, roleEnv, StackConfigError, stackUrls } from '../src/index.js';

const defaults = readPorts({});

describe('readPorts', () => {
  it('defaults to the simulator on 3100, the server on 3000 and the H5 dev server on 10086', () => {
    expect(defaults).toEqual({ sim: 3100, server: 3000, h5: 10086 });
  });

  it('takes each port from its variable; empty means unset', () => {
    expect(readPorts({ SIM_PORT: '4100', SERVER_PORT: '4000', H5_PORT: '' })).toEqual({
      sim: 4100,
      server: 4000,
      h5: 10086,
    });
  });

  it.each([['0'], ['65536'], ['30x'], ['-1'], ['3.5']])('refuses SERVER_PORT=%s', (value) => {
    expect(() => readPorts({ SERVER_PORT: value })).toThrow(StackConfigError);
  });

  it('refuses two processes on one port, naming both variables', () => {
    expect(() => readPorts({ H5_PORT: '3000' })).toThrow('SERVER_PORT and H5_PORT are both 3000');
  });
});

describe('roleEnv', () => {
  const ports = { sim: 4100, server: 4000, h5: 4086 };

  it('gives the simulator and the server a port each (both read PORT)', () => {
    expect(roleEnv('sim', ports, { PORT: '9999' })).toEqual({ PORT: '4100' });
    expect(roleEnv('server', ports, { PORT: '9999' })).toMatchObject({ PORT: '4000' });
  });

  it('runs the server in development, pointed at the simulator, the H5 origin let through CORS', () => {
    expect(roleEnv('server', ports, {})).toEqual({
      NODE_ENV: 'development',
      PORT: '4000',
      WECHAT_API_BASE: 'http://127.0.0.1:4100',
      CORS_ORIGINS: 'http://localhost:4086,http://127.0.0.1:4086',
    });
  });

  it('builds both clients against this server, and the H5 one against this simulator', () => {
    expect(roleEnv('weapp', ports, {})).toEqual({ TARO_APP_API_BASE: 'http://127.0.0.1:4000' });
    expect(roleEnv('h5', ports, {})).toEqual({
      H5_PORT: '4086',
      TARO_APP_API_BASE: 'http://127.0.0.1:4000',
      TARO_APP_SIM_BASE: 'http://127.0.0.1:4100',
    });
  });

  it('keeps what the developer set explicitly', () => {
    const env = { WECHAT_API_BASE: 'https://api.weixin.qq.com', CORS_ORIGINS: 'http://dev.local:8080' };
    expect(roleEnv('server', ports, env)).toMatchObject(env);
    expect(roleEnv('h5', ports, { TARO_APP_API_BASE: 'http://10.0.0.5:3000' })).toMatchObject({
      TARO_APP_API_BASE: 'http://10.0.0.5:3000',
    });
  });
});

describe('the banner', () => {
  it('names the H5 app, the server, its docs and the simulator', () => {
    const text = bannerText(defaults);
    const urls = stackUrls(defaults);
    expect(urls).toEqual({
      sim: 'http://127.0.0.1:3100',
      server: 'http://127.0.0.1:3000',
      docs: 'http://127.0.0.1:3000/docs',
      h5: 'http://localhost:10086/',
    });
    for (const url of Object.values(urls)) expect(text).toContain(url);
  });
});
