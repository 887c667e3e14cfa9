import { spawnSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';

// Debian's chromium: playwright-core downloads no browser (and cannot here). These are the flags
// known to work headless in a container (toolchain-notes.md): no sandbox without user namespaces,
// no GPU, and none of Chrome's background traffic to Google.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `CHROMIUM_PATH`, else `command -v chromium`. */
export function chromiumPath(): string {
  const configured = process.env['CHROMIUM_PATH'];
  if (configured) return configured;
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  if (found === '') {
    throw new Error('Chromium not found: `apt-get install -y chromium` (.ci/run does this), or set CHROMIUM_PATH');
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ARGS });
}
