import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createWeChatClient } from '../src/index.js';
import { appid, secret, startUpstream, type Upstream } from './helper.js';

let upstream: Upstream | undefined;
let server: Server | undefined;
afterEach(async () => {
  await upstream?.stop();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  upstream = undefined;
  server = undefined;
});

async function listen(on: Server): Promise<number> {
  await new Promise<void>((resolve) => on.listen(0, '127.0.0.1', resolve));
  const address = on.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the HTTP transport', () => {
  it('keeps one connection alive across sequential calls', async () => {
    upstream = await startUpstream();
    const sockets = new Set<unknown>();
    upstream.sim.server.on('request', (request: IncomingMessage) => {
      if (request.url?.startsWith('/sns/')) sockets.add(request.socket);
    });
    const client = upstream.client();
    for (let i = 0; i < 10; i++) await client.code2Session(await upstream.login(`user-${i}`));
    expect(sockets.size).toBe(1);
  });

  it('refuses an oversized answer as bad-response instead of buffering it', async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`{"openid":"${'x'.repeat(512 * 1024)}"}`);
    });
    const port = await listen(server);
    const client = createWeChatClient({ appid, secret, baseUrl: `http://127.0.0.1:${port}` });
    await expect(client.code2Session('any')).rejects.toMatchObject({ kind: 'bad-response' });
    await client.close();
  });

  it('reaches an upstream mounted under a path prefix', async () => {
    upstream = await startUpstream();
    server = createServer((request, response) => {
      const url = (request.url ?? '').replace(/^\/wechat/, '');
      fetch(`${upstream?.url}${url}`).then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
        response.end(await answer.text());
      });
    });
    const port = await listen(server);
    const client = upstream.client({ baseUrl: `http://127.0.0.1:${port}/wechat/` });
    await expect(client.code2Session(await upstream.login('alice'))).resolves.toHaveProperty('openid');
  });

  it.each([
    { options: { appid: '' }, message: 'appid' },
    { options: { secret: '' }, message: 'secret' },
    { options: { baseUrl: 'ftp://x' }, message: 'baseUrl' },
    { options: { timeoutMs: 0 }, message: 'timeoutMs' },
    { options: { refreshAheadMs: 300_000 }, message: 'refreshAheadMs' },
  ])('rejects a bad option: $message', ({ options, message }) => {
    expect(() => createWeChatClient({ appid, secret, ...options })).toThrow(message);
  });
});
