// Builds a bare Taro React app (one empty page) with this app's exact configuration and
// toolchain, and prints its weapp output size: the baseline that `size.mjs` budgets against.
// Run it again after a Taro, React or config upgrade and update BASELINE_BYTES in size.mjs.
//   node scripts/measure-baseline.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kb, measure } from './weapp-size.mjs';

const client = join(dirname(fileURLToPath(import.meta.url)), '..');
const bare = mkdtempSync(join(tmpdir(), 'wxauth-bare-taro-'));

try {
  // Same configuration, Babel preset, DevTools project and dependencies; only src/ differs.
  for (const file of ['config', 'babel.config.js', 'project.config.json', 'package.json']) {
    cpSync(join(client, file), join(bare, file), { recursive: true });
  }
  writeFileSync(
    join(bare, 'tsconfig.json'),
    JSON.stringify({ extends: join(client, 'tsconfig.json'), include: ['src'] }),
  );
  symlinkSync(join(client, 'node_modules'), join(bare, 'node_modules'), 'dir');
  const files = {
    'src/app.ts':
      "import type { PropsWithChildren } from 'react';\n\nexport default function App({ children }: PropsWithChildren) {\n  return children;\n}\n",
    'src/app.config.ts': "export default defineAppConfig({ pages: ['pages/index/index'] });\n",
    'src/pages/index/index.config.ts': 'export default definePageConfig({});\n',
    'src/pages/index/index.tsx':
      "import { View } from '@tarojs/components';\n\nexport default function Index() {\n  return <View />;\n}\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(bare, path)), { recursive: true });
    writeFileSync(join(bare, path), text);
  }
  execFileSync(join(client, 'node_modules/.bin/taro'), ['build', '--type', 'weapp'], {
    cwd: bare,
    // Taro draws its progress bar on stderr; a failed build still throws with the output attached.
    stdio: 'pipe',
  });
  const { total, files: output } = measure(join(bare, 'dist'));
  console.log(`bare Taro React app (weapp): ${total} bytes (${kb(total)}) in ${output.length} files`);
  for (const file of output.slice(0, 8)) console.log(`  ${kb(file.bytes).padStart(10)}  ${file.path}`);
} finally {
  rmSync(bare, { recursive: true, force: true });
}
