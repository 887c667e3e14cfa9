import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export interface StaticH5 {
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Serves the client's H5 build (`dist-h5`) on a free loopback port, as a static host would, and
 * hands the page its run-time settings as `<meta name="wxauth:<name>">` tags in index.html (read by
 * `apps/client/src/dev/page-setting.ts`): one cached build then works with whatever ports this run
 * picked, and the page's address stays the plain one a user would open.
 */
export async function serveH5(root: string, settings: () => Record<string, string>): Promise<StaticH5> {
  const template = await readFile(join(root, 'index.html'), 'utf8');
  // Read per request: the server's CORS needs this origin before the settings (its address) exist.
  const index = () => {
    const metas = Object.entries(settings())
      .map(([name, value]) => `<meta name="wxauth:${escapeAttribute(name)}" content="${escapeAttribute(value)}">`)
      .join('');
    return template.replace('<head>', `<head>${metas}`);
  };

  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://h5').pathname);
    const file = normalize(join(root, path));
    const sendIndex = () => {
      response.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      response.end(index());
    };
    // The router keeps the page in the hash, so every path that is not an asset is the app.
    if (path === '/' || path === '/index.html' || !file.startsWith(root + sep)) return sendIndex();
    readFile(file).then(
      (body) => {
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        response.end(body);
      },
      () => sendIndex(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the H5 server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
