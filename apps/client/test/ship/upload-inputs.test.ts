import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readUploadInputs } from '../../ship/inputs.js';
import { Refusal } from '../../ship/refusal.js';
import { tempDir, testUploadKey } from './support.js';

const key = testUploadKey();
const defaults = { version: '0.1.0', commit: () => 'abc1234 ship it' };
const valid = { TARO_APP_ID: 'wx1234567890abcdef', WECHAT_UPLOAD_KEY: key };

function refusal(env: Record<string, string>): Refusal {
  try {
    readUploadInputs(env, defaults);
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('upload inputs', () => {
  it('defaults: robot 1, the package version, the commit as description', () => {
    expect(readUploadInputs(valid, defaults)).toEqual({
      appid: 'wx1234567890abcdef',
      key: { source: 'WECHAT_UPLOAD_KEY', text: key },
      robot: 1,
      version: '0.1.0',
      desc: 'abc1234 ship it',
    });
  });

  it('takes robot, version and description from the environment', () => {
    const inputs = readUploadInputs(
      { ...valid, WECHAT_CI_ROBOT: '30', WECHAT_UPLOAD_VERSION: '1.2.3', WECHAT_UPLOAD_DESC: 'release 1.2.3' },
      defaults,
    );
    expect(inputs).toMatchObject({ robot: 30, version: '1.2.3', desc: 'release 1.2.3' });
  });

  it('without a commit, describes the upload by its version', () => {
    expect(readUploadInputs(valid, { version: '0.1.0', commit: () => undefined }).desc).toBe('wxauth client 0.1.0');
  });

  it('reads a key whose line breaks a one-line secret turned into "\\n"', () => {
    const inputs = readUploadInputs({ ...valid, WECHAT_UPLOAD_KEY: key.trim().replaceAll('\n', '\\n') }, defaults);
    expect(inputs.key).toEqual({ source: 'WECHAT_UPLOAD_KEY', text: key });
  });

  it('takes the key as a file', () => {
    const path = join(tempDir(), 'private.wx1234567890abcdef.key');
    writeFileSync(path, key);
    const inputs = readUploadInputs({ TARO_APP_ID: valid.TARO_APP_ID, WECHAT_UPLOAD_KEY_PATH: path }, defaults);
    expect(inputs.key).toEqual({ source: 'WECHAT_UPLOAD_KEY_PATH', path });
  });

  it.each([
    ['no appid', { WECHAT_UPLOAD_KEY: key }, 'TARO_APP_ID', /not set/],
    ['an empty appid', { ...valid, TARO_APP_ID: ' ' }, 'TARO_APP_ID', /not set/],
    ["the simulator's appid", { ...valid, TARO_APP_ID: 'wx0000000000000001' }, 'TARO_APP_ID', /simulator/],
    ['an appid that is not one', { ...valid, TARO_APP_ID: 'wx123' }, 'TARO_APP_ID', /not a mini-program appid/],
    ['no key', { TARO_APP_ID: valid.TARO_APP_ID }, 'WECHAT_UPLOAD_KEY', /no upload key/],
    ['both kinds of key', { ...valid, WECHAT_UPLOAD_KEY_PATH: '/k' }, 'WECHAT_UPLOAD_KEY', /not both/],
    [
      'key text that is no key',
      { ...valid, WECHAT_UPLOAD_KEY: 'hunter2' },
      'WECHAT_UPLOAD_KEY',
      /not a PEM private key/,
    ],
    [
      'a key file that is missing',
      { TARO_APP_ID: valid.TARO_APP_ID, WECHAT_UPLOAD_KEY_PATH: '/nonexistent/private.key' },
      'WECHAT_UPLOAD_KEY_PATH',
      /cannot read \/nonexistent\/private.key \(ENOENT\)/,
    ],
    ['robot 0', { ...valid, WECHAT_CI_ROBOT: '0' }, 'WECHAT_CI_ROBOT', /1 to 30/],
    ['robot 31', { ...valid, WECHAT_CI_ROBOT: '31' }, 'WECHAT_CI_ROBOT', /1 to 30/],
    ['robot 1.5', { ...valid, WECHAT_CI_ROBOT: '1.5' }, 'WECHAT_CI_ROBOT', /1 to 30/],
    ['a version with spaces', { ...valid, WECHAT_UPLOAD_VERSION: '1 2' }, 'WECHAT_UPLOAD_VERSION', /not a version/],
  ])('refuses %s, naming the variable', (_case, env, variable, message) => {
    const error = refusal(env);
    expect(error.subject).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).toMatch(message);
  });

  it('never repeats the key text in a refusal', () => {
    const secret = 'MIIEpAIBAAKCAQEA-not-really-a-key';
    expect(refusal({ ...valid, WECHAT_UPLOAD_KEY: secret }).message).not.toContain(secret);
  });
});
