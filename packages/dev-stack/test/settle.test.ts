import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@wxauth/testkit';
import { describe, expect, it } from 'vitest';
import { waitForStack } from '../src/index.js';

/** A process that listens, as `tsx watch` runs the server: `restart()` drops every connection and listens again. */
async function watchedProcess(port: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const listen = async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }).listen(port, '127.0.0.1');
    await once(server, 'listening');
  };
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    const closing = server;
    server = undefined;
    if (closing) await new Promise((resolve) => closing.close(resolve));
  };
  await listen();
  return {
    restart: async () => {
      await close();
      await listen();
    },
    close,
  };
}

describe('waitForStack and a process that restarts', () => {
  it('announces only once the process has kept a connection for the settle time', async () => {
    const port = await freePort();
    const watched = await watchedProcess(port);
    try {
      let up = false;
      const waiting = waitForStack([{ name: 'server', port }], { intervalMs: 20, settleMs: 600 }).then(() => {
        up = true;
      });
      // Restarts, as on each rewrite of a library's dist/, every 300 ms: never settled meanwhile.
      for (let restart = 0; restart < 5; restart += 1) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(up).toBe(false);
        await watched.restart();
      }
      const lastRestart = Date.now();
      await waiting;
      expect(Date.now() - lastRestart).toBeGreaterThanOrEqual(600);
    } finally {
      await watched.close();
    }
  });
});
