#!/usr/bin/env node
import { buildSimulator } from './app.js';
import type { SimulatedApp } from './options.js';

// The only file that reads the environment: PORT (default 3100), HOST (default 127.0.0.1),
// WECHAT_SIM_APPS ("appid:secret,appid:secret", added to the built-in test app), LOG_LEVEL.
function parseApps(spec: string | undefined): SimulatedApp[] {
  if (spec === undefined || spec.trim() === '') return [];
  return spec.split(',').map((pair) => {
    const [appid, secret, ...rest] = pair.trim().split(':');
    if (appid === undefined || appid === '' || secret === undefined || secret === '' || rest.length > 0) {
      throw new Error(`WECHAT_SIM_APPS: expected "appid:secret", got "${pair}"`);
    }
    return { appid, secret };
  });
}

const port = Number(process.env['PORT'] ?? 3100);
const host = process.env['HOST'] ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer in 0..65535, got "${process.env['PORT']}"`);
  process.exit(1);
}

let apps: SimulatedApp[];
try {
  apps = parseApps(process.env['WECHAT_SIM_APPS']);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const sim = buildSimulator({
  apps,
  logger: {
    level: process.env['LOG_LEVEL'] ?? 'info',
    // Request lines without their query strings: those carry secrets, codes and tokens.
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/\?.*$/, '') }),
    },
  },
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

await sim.listen({ port, host });
