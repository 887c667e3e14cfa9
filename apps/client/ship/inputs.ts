import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Refusal } from './refusal.js';

/** The WeChat simulator's built-in test app (packages/wechat-sim): WeChat has never heard of it. */
export const SIMULATOR_APPID = 'wx0000000000000001';
const APPID_PATTERN = /^wx[0-9a-f]{16}$/;

/** The upload key as a CI secret holds it (text) or as the file WeChat's admin console downloads. */
export type UploadKey =
  | { source: 'WECHAT_UPLOAD_KEY'; text: string }
  | { source: 'WECHAT_UPLOAD_KEY_PATH'; path: string };

/** Everything an upload or a preview needs, from the environment (documented in apps/client/.env.example). */
export interface UploadInputs {
  appid: string;
  key: UploadKey;
  /** WeChat's "CI robot" 1–30: each keeps its own latest upload in the admin console. */
  robot: number;
  version: string;
  desc: string;
}

export interface InputDefaults {
  /** apps/client's package.json `version`. */
  version: string;
  /** "<short hash> <subject>" of the commit being shipped, if there is one. */
  commit(): string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and checks the upload inputs; the first problem found is thrown as a Refusal naming its variable. */
export function readUploadInputs(env: Env, defaults: InputDefaults): UploadInputs {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const appid = readAppid(value('TARO_APP_ID'));
  const key = readKey(value('WECHAT_UPLOAD_KEY'), value('WECHAT_UPLOAD_KEY_PATH'));
  const robot = readRobot(value('WECHAT_CI_ROBOT'));
  const version = value('WECHAT_UPLOAD_VERSION') ?? defaults.version;
  if (!/^\S{1,64}$/.test(version)) {
    throw new Refusal('WECHAT_UPLOAD_VERSION', `"${version}" is not a version (1–64 characters, no spaces)`);
  }
  const desc = value('WECHAT_UPLOAD_DESC') ?? defaults.commit() ?? `wxauth client ${version}`;
  return { appid, key, robot, version, desc };
}

function readAppid(appid: string | undefined): string {
  if (appid === undefined) {
    throw new Refusal(
      'TARO_APP_ID',
      "not set: the appid of the mini-program to upload (wx + 16 hex digits, from WeChat's admin console)",
    );
  }
  if (appid === SIMULATOR_APPID) {
    throw new Refusal(
      'TARO_APP_ID',
      `${SIMULATOR_APPID} is the WeChat simulator's test app, unknown to WeChat: set your mini-program's appid`,
    );
  }
  if (!APPID_PATTERN.test(appid))
    throw new Refusal('TARO_APP_ID', `"${appid}" is not a mini-program appid (wx + 16 hex digits)`);
  return appid;
}

function readKey(text: string | undefined, path: string | undefined): UploadKey {
  if (text !== undefined && path !== undefined) {
    throw new Refusal(
      'WECHAT_UPLOAD_KEY',
      'set either WECHAT_UPLOAD_KEY (the key as text) or WECHAT_UPLOAD_KEY_PATH (a file), not both',
    );
  }
  if (text !== undefined) {
    // A secret pasted on one line keeps its line breaks as the two characters "\n".
    const pem = text.includes('\n') ? text : text.replaceAll('\\n', '\n');
    assertPrivateKey(pem, 'WECHAT_UPLOAD_KEY');
    return { source: 'WECHAT_UPLOAD_KEY', text: `${pem.trim()}\n` };
  }
  if (path !== undefined) {
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
      throw new Refusal('WECHAT_UPLOAD_KEY_PATH', `cannot read ${path} (${reason})`);
    }
    assertPrivateKey(pem, 'WECHAT_UPLOAD_KEY_PATH');
    return { source: 'WECHAT_UPLOAD_KEY_PATH', path };
  }
  throw new Refusal(
    'WECHAT_UPLOAD_KEY',
    "no upload key: set WECHAT_UPLOAD_KEY to the key's text (a CI secret) or WECHAT_UPLOAD_KEY_PATH to its file (WeChat admin console → 开发管理 → 开发设置 → 小程序代码上传)",
  );
}

/** The key's content is never part of a message. */
function assertPrivateKey(pem: string, variable: string): void {
  try {
    createPrivateKey(pem);
  } catch {
    throw new Refusal(
      variable,
      'not a PEM private key (the code upload key from WeChat\'s admin console, "-----BEGIN RSA PRIVATE KEY-----…")',
    );
  }
}

function readRobot(value: string | undefined): number {
  if (value === undefined) return 1;
  const robot = Number(value);
  if (!/^\d+$/.test(value) || robot < 1 || robot > 30) {
    throw new Refusal('WECHAT_CI_ROBOT', `"${value}" is not a CI robot number (an integer from 1 to 30)`);
  }
  return robot;
}
