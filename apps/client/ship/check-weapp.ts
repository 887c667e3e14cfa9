// `pnpm check:weapp [folder]` in apps/client (and turbo's check:weapp task in `pnpm test`): WeChat's
// compiler and code-quality check on a weapp build (apps/client/dist by default), offline.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Refusal } from './refusal.js';
import { assertBuilt } from './weapp-build.js';
import { runWeappCheck } from './weapp-check.js';

const clientRoot = fileURLToPath(new URL('..', import.meta.url));

async function main(folder: string): Promise<number> {
  try {
    assertBuilt(folder);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    console.error(`weapp check: ${error.message}`);
    return 2;
  }
  console.log(`weapp check: WeChat's compiler (miniprogram-ci) on ${folder}, offline…`);
  const report = await runWeappCheck(folder);
  const seconds = (report.durationMs / 1000).toFixed(1);
  console.log(`weapp check: ${report.summary} (${seconds} s, offline: ${report.isolation})`);
  for (const advice of report.advice) console.log(`  advice (does not block an upload): ${advice}`);
  if (report.passed) {
    console.log('weapp check: passed');
    return 0;
  }
  console.error(report.output.split('\n').slice(-40).join('\n'));
  for (const problem of report.problems) console.error(`weapp check: FAILED: ${problem}`);
  return 1;
}

main(resolve(process.argv[2] ?? join(clientRoot, 'dist'))).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
