import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { join, relative } from 'node:path';
import { Refusal } from './refusal.js';

/** Every file of a folder, depth first, as paths relative to it. */
export function filesOf(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesOf(path, root);
    return entry.isFile() ? [relative(root, path)] : [];
  });
}

/** Refuses a missing or empty build, told apart so the message says what to run. */
export function assertBuilt(dist: string): void {
  const how =
    'build it first: `pnpm release:weapp` at the root builds and uploads, or `pnpm --filter @wxauth/client build`';
  if (!existsSync(dist)) throw new Refusal('apps/client/dist', `no weapp build at ${dist}; ${how}`);
  if (filesOf(dist).length === 0) throw new Refusal('apps/client/dist', `${dist} is empty; ${how}`);
  if (!existsSync(join(dist, 'app.json')))
    throw new Refusal('apps/client/dist', `${dist} has no app.json, so it is not a weapp build; ${how}`);
}

// Addresses no phone out there can reach: loopback, private, link-local, carrier-grade NAT, unspecified.
const unreachable = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  unreachable.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  unreachable.addSubnet(network, prefix, 'ipv6');
}

/** A host name or address that only makes sense on a developer's machine or inside a private network. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  const address = mapped ?? host;
  const family = isIP(address);
  if (family === 4) return unreachable.check(address, 'ipv4');
  if (family === 6) return unreachable.check(address, 'ipv6');
  return host === 'localhost' || /\.(localhost|local|internal|lan|home\.arpa)$/.test(host) || !host.includes('.');
}

/** Refuses an API base a phone could not use: not https, or a loopback or private address. */
export function assertPublicHttps(apiBase: string | undefined): string {
  const variable = 'TARO_APP_API_BASE';
  if (apiBase === undefined || apiBase === '') {
    throw new Refusal(variable, "not set: the login server's public HTTPS origin (apps/client/.env.production)");
  }
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new Refusal(variable, `"${apiBase}" is not a URL`);
  }
  if (url.protocol !== 'https:') {
    throw new Refusal(
      variable,
      `${apiBase} is not https://: WeChat only lets a mini-program call HTTPS servers on its domain list`,
    );
  }
  if (isLocalHost(url.hostname)) {
    throw new Refusal(variable, `${apiBase} is a loopback or private address: no phone can reach it`);
  }
  return apiBase;
}

const URL_LITERAL = /["'`](https?:\/\/[^"'`\s]+)["'`]/g;

/**
 * Refuses a build made for another server than `apiBase`, or holding any loopback or private URL
 * (a development build, or a fallback address left in the code).
 */
export function assertBuiltFor(dist: string, apiBase: string): void {
  const variable = 'TARO_APP_API_BASE';
  let found = false;
  for (const file of filesOf(dist).filter((path) => path.endsWith('.js'))) {
    const code = readFileSync(join(dist, file), 'utf8');
    for (const [, literal = ''] of code.matchAll(URL_LITERAL)) {
      if (literal === apiBase) found = true;
      let host: string;
      try {
        host = new URL(literal).hostname;
      } catch {
        continue;
      }
      if (isLocalHost(host)) {
        throw new Refusal(
          variable,
          `the build in ${dist} calls ${literal} (${file}), a loopback or private address: rebuild for production`,
        );
      }
    }
  }
  if (!found) {
    throw new Refusal(
      variable,
      `the build in ${dist} was not made for ${apiBase}: rebuild with the same TARO_APP_API_BASE (\`pnpm release:weapp\` builds first)`,
    );
  }
}
