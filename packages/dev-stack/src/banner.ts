import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type StackPorts, stackUrls } from './stack.js';

/**
 * How to tell that one process is up. The simulator and the server log every request, so they
 * are only asked to accept a connection (both listen once ready) and to keep it open for a while:
 * a watcher that restarts its process drops the connection, so a process that has only just
 * listened is not taken for settled. The H5 dev server answers its first request only when its
 * first build is done, which is what "up" means for it.
 */
export type Probe = { name: string; port: number } | { name: string; url: string };

export function probes(ports: StackPorts): Probe[] {
  return [
    { name: 'simulator', port: ports.sim },
    { name: 'server', port: ports.server },
    { name: 'H5 dev server', url: `http://127.0.0.1:${ports.h5}/` },
  ];
}

/** Whether the port accepts a connection and keeps it open for `settleMs` (no restart meanwhile). */
function holds(port: number, settleMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let settled: NodeJS.Timeout | undefined;
    const done = (ok: boolean) => {
      clearTimeout(settled);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.once('connect', () => {
      socket.setTimeout(0);
      settled = setTimeout(() => done(true), settleMs);
    });
  });
}

async function answers(probe: Probe, settleMs: number, signal: AbortSignal | undefined): Promise<boolean> {
  if ('port' in probe) return holds(probe.port, settleMs);
  try {
    // No timeout of ours: webpack-dev-server holds the request until the first build is done.
    const response = await fetch(probe.url, signal ? { signal } : {});
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export interface WaitOptions {
  intervalMs?: number;
  /**
   * How long a process must keep a connection open to count as up. `tsx watch` restarts the
   * server when a library it imports is rewritten; a page opened during the restart fails its login.
   */
  settleMs?: number;
  /** Called once when the stack is slow to come up, with what is still not answering. */
  onSlow?: (waitingFor: string[]) => void;
  slowAfterMs?: number;
  signal?: AbortSignal;
}

/** Resolves once every probe is up in one round; there is no deadline (a first webpack build is slow). */
export async function waitForStack(list: readonly Probe[], options: WaitOptions = {}): Promise<void> {
  const { intervalMs = 1_000, settleMs = 3_000, onSlow, slowAfterMs = 120_000, signal } = options;
  const started = Date.now();
  let warned = false;
  for (;;) {
    signal?.throwIfAborted();
    const down = (
      await Promise.all(list.map(async (probe) => ((await answers(probe, settleMs, signal)) ? [] : [probe.name])))
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
