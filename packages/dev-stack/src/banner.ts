import { setTimeout as sleep } from 'node:timers/promises';
import { type StackPorts, stackUrls } from './stack.js';

export interface Probe {
  name: string;
  url: string;
}

/** What must answer before the stack is "up": the H5 dev server is last (its first build takes a while). */
export function probes(ports: StackPorts): Probe[] {
  const urls = stackUrls(ports);
  return [
    { name: 'simulator', url: `${urls.sim}/sim/calls` },
    { name: 'server', url: `${urls.server}/readyz` },
    { name: 'H5 dev server', url: `http://127.0.0.1:${ports.h5}/` },
  ];
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export interface WaitOptions {
  intervalMs?: number;
  /** Called once when the stack is slow to come up, with what is still not answering. */
  onSlow?: (waitingFor: string[]) => void;
  slowAfterMs?: number;
  signal?: AbortSignal;
}

/** Resolves once every probe answers 2xx; there is no deadline (a first webpack build is slow). */
export async function waitForStack(list: readonly Probe[], options: WaitOptions = {}): Promise<void> {
  const { intervalMs = 500, onSlow, slowAfterMs = 90_000, signal } = options;
  const started = Date.now();
  let warned = false;
  for (;;) {
    signal?.throwIfAborted();
    const down = (
      await Promise.all(list.map(async (probe) => ((await answers(probe.url)) ? [] : [probe.name])))
    ).flat();
    if (down.length === 0) return;
    if (!warned && Date.now() - started >= slowAfterMs) {
      warned = true;
      onSlow?.(down);
    }
    await sleep(intervalMs, undefined, signal ? { signal } : {});
  }
}

export function bannerText(ports: StackPorts): string {
  const urls = stackUrls(ports);
  const rows: [string, string][] = [
    ['H5 app', `${urls.h5}   (simulated user: the picker on the page, or ?user=<name>; default alice)`],
    ['server', urls.server],
    ['API docs', urls.docs],
    ['simulator', `${urls.sim}   (WeChat stand-in; test app wx0000000000000001)`],
    ['weapp build', 'apps/client/dist, rebuilt on change: open it in WeChat DevTools'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    'wxauth dev stack is up:',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    'Ctrl-C stops everything.',
  ].join('\n');
}
