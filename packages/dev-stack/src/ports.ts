import { createServer } from 'node:net';

/**
 * Whether nothing listens on the port on 127.0.0.1 (where the stack listens; Linux also refuses
 * it when something holds the port on every address). Taro's dev server would otherwise move to
 * the next free port by itself, away from the origin the server's CORS allows.
 */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
