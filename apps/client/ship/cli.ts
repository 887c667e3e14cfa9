// `pnpm upload` and `pnpm preview [--qr <file>]` in apps/client (`--dist <folder>`: another build):
// every refusal before miniprogram-ci is even loaded (so before any network call), then the upload
// with progress; exit 0 only on success.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readUploadInputs } from './inputs.js';
import { loadMiniprogramCi } from './miniprogram-ci.js';
import { Refusal } from './refusal.js';
import { assertBuilt, assertBuiltFor, assertPublicHttps } from './weapp-build.js';
import { previewBuild, uploadBuild } from './wechat-ci.js';

const clientRoot = fileURLToPath(new URL('..', import.meta.url));
/** Compiling, zipping and sending a 2 MB package takes well under a minute; this is for a hang. */
const UPLOAD_TIME_LIMIT_MS = 10 * 60_000;
const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

function commit(): string | undefined {
  try {
    return (
      execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: clientRoot, encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(join(clientRoot, 'package.json'), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
  if (typeof version !== 'string')
    throw new Refusal('WECHAT_UPLOAD_VERSION', 'not set, and apps/client/package.json has no version');
  return version;
}

/** TARO_APP_API_BASE as `taro build` (production) resolves it: the environment over the .env files. */
async function productionApiBase(): Promise<string | undefined> {
  // Taro's own resolver, without loading the rest of @tarojs/helper (a second and more).
  const { dotenvParse } = await import('@tarojs/helper/dist/dotenv.js');
  return dotenvParse(clientRoot, 'TARO_APP_', 'production')['TARO_APP_API_BASE'] ?? process.env['TARO_APP_API_BASE'];
}

/** The hints WeChat's own messages leave out. */
function hint(message: string): string {
  if (/invalid ip|ip.*白名单|whitelist/i.test(message)) {
    return "\nhint: add this machine's IP to the upload IP whitelist (WeChat admin console → 开发管理 → 开发设置 → 小程序代码上传), or turn the whitelist off";
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|socket hang up|getaddrinfo/i.test(message)) {
    return '\nhint: WeChat (servicewechat.com) could not be reached from this machine';
  }
  if (/signature|sign|私钥|privatekey/i.test(message)) {
    return '\nhint: check that the upload key belongs to TARO_APP_ID and was not reset in the admin console';
  }
  return '';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code: unknown = Reflect.get(error, 'code');
  return code === undefined ? error.message : `${error.message} (miniprogram-ci code ${String(code)})`;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { qr: { type: 'string' }, dist: { type: 'string' } },
  });
  const [command] = positionals;
  if (command !== 'upload' && command !== 'preview') {
    console.error('usage: ship/cli.ts upload | preview [--qr <file.png>] [--dist <folder>]');
    return EXIT.refused;
  }
  // Paths on the command line and in the environment are relative to where pnpm was run.
  const here = process.env['INIT_CWD'] ?? process.cwd();
  const dist = values.dist === undefined ? join(clientRoot, 'dist') : resolve(here, values.dist);
  const keyPath = process.env['WECHAT_UPLOAD_KEY_PATH'];
  const env = keyPath ? { ...process.env, WECHAT_UPLOAD_KEY_PATH: resolve(here, keyPath) } : process.env;
  const log = (line: string) => console.log(`[wechat ${command}] ${line}`);
  const cleanups = new Set<() => void>();
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      for (const cleanup of cleanups) cleanup();
      process.exit(code);
    });
  }

  let inputs: ReturnType<typeof readUploadInputs>;
  try {
    inputs = readUploadInputs(env, { version: packageVersion(), commit });
    assertBuilt(dist);
    assertBuiltFor(dist, assertPublicHttps(await productionApiBase()));
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    console.error(`[wechat ${command}] refused, nothing was sent to WeChat: ${error.message}`);
    return EXIT.refused;
  }

  const ci = await loadMiniprogramCi();
  const options = { ci, inputs, projectPath: dist, log, cleanups };
  const timeLimit = new Promise<never>((_, reject) => {
    setTimeout(
      () => reject(new Error(`no answer from WeChat within ${UPLOAD_TIME_LIMIT_MS / 60_000} minutes`)),
      UPLOAD_TIME_LIMIT_MS,
    ).unref();
  });
  try {
    if (command === 'upload') {
      await Promise.race([uploadBuild(options), timeLimit]);
    } else {
      const qrPath = values.qr === undefined ? join(clientRoot, 'preview-qr.png') : resolve(here, values.qr);
      const { terminal, qrContent } = await Promise.race([previewBuild({ ...options, qrPath }), timeLimit]);
      console.log(terminal);
      log(`QR code: ${qrContent}`);
    }
    return EXIT.ok;
  } catch (error) {
    const message = describe(error);
    console.error(`[wechat ${command}] failed: ${message}${hint(message)}`);
    return EXIT.failed;
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

// miniprogram-ci leaves handles open after an upload: exit explicitly once it is done.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(EXIT.failed);
  },
);
