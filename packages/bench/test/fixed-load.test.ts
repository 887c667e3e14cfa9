import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixedLoad } from '../src/fixed-load.js';
import { rotate } from '../src/variants.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return `http://127.0.0.1:${address.port}`;
}

describe('the fixed-headers load generator', () => {
  it('sends each connection its own headers, again and again, and counts the answers by status', async () => {
    const seen = new Set<string>();
    const url = await listen((request, response) => {
      seen.add(request.headers.authorization ?? '');
      const body = JSON.stringify({ ok: true });
      response.writeHead(request.headers.authorization === 'Bearer t2' ? 401 : 200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
    });
    const token = rotate(['t0', 't1', 't2']);
    const plan = {
      method: 'GET' as const,
      path: '/x',
      expectStatus: 200,
      next: () => ({ headers: { authorization: `Bearer ${token()}` } }),
    };
    const result = await runFixedLoad(plan, { url, connections: 3, duration: 0.3 });
    expect(seen).toEqual(new Set(['Bearer t0', 'Bearer t1', 'Bearer t2']));
    // Counts, not speed (a starved CI machine answered 9 in 0.3 s): more answers than connections
    // means each connection sent again, and both statuses were counted.
    const ok = result.statuses['200'] ?? 0;
    const refused = result.statuses['401'] ?? 0;
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(ok + refused).toBeGreaterThan(3);
    expect(result.problems.join()).toMatch(/expected all 200/);
    expect(result.rps).toBeGreaterThan(0);
  });
});
