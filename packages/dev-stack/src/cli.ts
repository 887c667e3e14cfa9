import { bannerText, probes, waitForStack } from './banner.js';
import { runRole } from './run.js';
import { isRole, ROLES, readPorts, StackConfigError } from './stack.js';

// The only file that reads process.env and argv.
const USAGE = `usage: wxauth-dev run <${ROLES.join('|')}> -- <command> [args…]
       wxauth-dev banner`;

async function main(argv: readonly string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === 'run') {
    const [role, separator, command, ...args] = rest;
    if (role === undefined || !isRole(role) || separator !== '--' || command === undefined) {
      console.error(USAGE);
      return 2;
    }
    return runRole(role, command, args, process.env);
  }
  if (subcommand === 'banner') {
    const ports = readPorts(process.env);
    const stop = new AbortController();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => stop.abort());
    try {
      await waitForStack(probes(ports), {
        signal: stop.signal,
        onSlow: (down) => console.log(`still waiting for: ${down.join(', ')} (see their lines above)`),
      });
    } catch (error) {
      if (stop.signal.aborted) return 0;
      throw error;
    }
    // Its work is done: turbo lets a persistent task end with 0 and keeps the others running.
    console.log(`\n${bannerText(ports)}\n`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof StackConfigError ? `wxauth-dev: ${error.message}` : error);
    process.exit(1);
  },
);
