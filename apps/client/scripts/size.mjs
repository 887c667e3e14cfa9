// The weapp output's size against its budget: prints the total and the largest files, and exits
// non-zero when the build is over budget. Run by `pnpm size` (after a fresh build) and `pnpm test`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kb, measure } from './weapp-size.mjs';

// A bare Taro React app (one empty page) built with this app's configuration and toolchain:
// `node scripts/measure-baseline.mjs` (Taro 4.2.1, React 18.3.1, webpack 5.91.0).
const BASELINE_BYTES = 305_007;
// Our budget: at most 15% above that baseline.
const BUDGET_BYTES = Math.floor(BASELINE_BYTES * 1.15);
// WeChat's hard limit for the main package.
const WECHAT_MAIN_PACKAGE_CAP = 2 * 1024 * 1024;
const LARGEST = 10;

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
if (!existsSync(join(dist, 'app.json'))) {
  console.error(`size: no weapp build in ${dist}; run \`pnpm --filter @wxauth/client build\` first`);
  process.exit(2);
}

const { total, files } = measure(dist);
const percent = (bytes, of) => `${((bytes / of) * 100).toFixed(1)}%`;

console.log(`weapp output: ${total} bytes (${kb(total)}) in ${files.length} files`);
console.log(`largest files:`);
for (const file of files.slice(0, LARGEST)) console.log(`  ${kb(file.bytes).padStart(10)}  ${file.path}`);
console.log(
  `baseline (bare Taro React app): ${kb(BASELINE_BYTES)}; this build is ${percent(total - BASELINE_BYTES, BASELINE_BYTES)} above it`,
);
console.log(
  `budget: ${kb(BUDGET_BYTES)} (baseline + 15%), used ${percent(total, BUDGET_BYTES)}; WeChat main-package cap: ${kb(WECHAT_MAIN_PACKAGE_CAP)}`,
);

if (total > BUDGET_BYTES || total > WECHAT_MAIN_PACKAGE_CAP) {
  console.error(`size: OVER BUDGET by ${total - BUDGET_BYTES} bytes`);
  process.exit(1);
}
