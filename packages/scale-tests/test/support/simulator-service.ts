import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type NodeService, startNodeService } from '@wxauth/testkit';

const require = createRequire(import.meta.url);
/** A built entry point, as `pnpm start` runs it; turbo builds it before this package's tests. */
export const packageFile = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);
export const PATH = process.env['PATH'] ?? '';
/** A cold start of a Node process on a loaded 2-core CI machine has taken more than 20 s. */
export const START_TIMEOUT_MS = 45_000;

/** The WeChat simulator's CLI on a free port. */
export function startSimulatorService(): Promise<NodeService> {
  return startNodeService({
    name: 'simulator',
    script: packageFile('@wxauth/wechat-sim', 'dist/cli.js'),
    env: { PATH, LOG_LEVEL: 'warn' },
    timeoutMs: START_TIMEOUT_MS,
  });
}
