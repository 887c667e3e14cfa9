import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import type { UploadInputs } from '../../ship/inputs.js';
import type { CiPreviewOptions, CiProjectOptions, CiUploadOptions, WeChatCi } from '../../ship/miniprogram-ci.js';
import { readQrCode } from '../../ship/qr-code.js';
import { previewBuild, UPLOAD_SETTING, uploadBuild } from '../../ship/wechat-ci.js';
import { tempDir, testUploadKey } from './support.js';

const key = testUploadKey();
const inputs: UploadInputs = {
  appid: 'wx1234567890abcdef',
  key: { source: 'WECHAT_UPLOAD_KEY', text: key },
  robot: 7,
  version: '1.2.3',
  desc: 'abc1234 ship it',
};
const QR_CONTENT = 'https://open.weixin.qq.com/sns/getexpappinfo?appid=wx1234567890abcdef&path=pages%2Findex%2Findex';

interface KeySeen {
  path: string;
  mode: number;
  folderMode: number;
  text: string;
}

/** A fake of miniprogram-ci: records what it is given and what the key file looked like meanwhile. */
function fakeCi(outcome: { fail?: Error; qrImage?: Buffer } = {}) {
  const projects: CiProjectOptions[] = [];
  const uploads: Omit<CiUploadOptions, 'project' | 'onProgressUpdate'>[] = [];
  const keys: KeySeen[] = [];
  const see = (path = '') =>
    keys.push({
      path,
      mode: statSync(path).mode & 0o777,
      folderMode: statSync(dirname(path)).mode & 0o777,
      text: readFileSync(path, 'utf8'),
    });
  const run = async (options: CiUploadOptions) => {
    const { project: _project, onProgressUpdate, ...rest } = options;
    uploads.push(rest);
    see(projects.at(-1)?.privateKeyPath);
    onProgressUpdate({ id: 'compile', message: 'compiling', status: 'doing' });
    onProgressUpdate({ id: 'compile', message: 'compiled', status: 'done' });
    onProgressUpdate('uploading');
    if (outcome.fail) throw outcome.fail;
    return {
      subPackageInfo: [
        { name: '__FULL__', size: 306_000 },
        { name: '__APP__', size: 305_000 },
      ],
    };
  };
  const ci: WeChatCi = {
    Project: class {
      readonly appid: string;
      readonly projectPath: string;
      constructor(options: CiProjectOptions) {
        projects.push(options);
        this.appid = options.appid;
        this.projectPath = options.projectPath;
      }
    },
    upload: run,
    preview: async (options: CiPreviewOptions) => {
      const result = await run(options);
      writeFileSync(options.qrcodeOutputDest, outcome.qrImage ?? Buffer.alloc(0));
      return result;
    },
  };
  return { ci, projects, uploads, keys };
}

/** A QR code as WeChat's preview sends one: a JPEG. */
async function wechatQrJpeg(content: string): Promise<Buffer> {
  const png = PNG.sync.read(await QRCode.toBuffer(content, { type: 'png', width: 280 }));
  return jpeg.encode({ data: png.data, width: png.width, height: png.height }, 90).data;
}

describe('uploading through miniprogram-ci', () => {
  it('opens the build as the appid, with the version, description, robot and DevTools settings', async () => {
    const fake = fakeCi();
    const lines: string[] = [];
    await uploadBuild({ ci: fake.ci, inputs, projectPath: '/builds/dist', log: (line) => lines.push(line) });
    expect(fake.projects).toEqual([
      {
        appid: 'wx1234567890abcdef',
        type: 'miniProgram',
        projectPath: '/builds/dist',
        privateKeyPath: fake.keys[0]?.path,
      },
    ]);
    expect(fake.uploads).toEqual([{ version: '1.2.3', desc: 'abc1234 ship it', robot: 7, setting: UPLOAD_SETTING }]);
    expect(UPLOAD_SETTING).toEqual({ useProjectConfig: true });
    expect(lines).toEqual(
      expect.arrayContaining([
        '… compiling',
        '✓ compiled',
        'uploading',
        expect.stringMatching(/uploaded version 1\.2\.3 \(total 298\.8 KB, main package 297\.9 KB\)/),
      ]),
    );
  });

  it('hands WeChat the key in a file only its owner can read, and removes it afterwards', async () => {
    const fake = fakeCi();
    await uploadBuild({ ci: fake.ci, inputs, projectPath: '/builds/dist', log: () => {} });
    const [seen] = fake.keys;
    expect(seen?.mode).toBe(0o600);
    expect(seen?.folderMode).toBe(0o700);
    expect(seen?.text).toBe(key);
    expect(existsSync(dirname(seen?.path ?? '/nonexistent/key'))).toBe(false);
  });

  it("removes the key file when WeChat refuses, and passes WeChat's message on", async () => {
    const fake = fakeCi({ fail: new Error('{"errCode":-10008,"errMsg":"invalid ip: 203.0.113.7"}') });
    await expect(uploadBuild({ ci: fake.ci, inputs, projectPath: '/builds/dist', log: () => {} })).rejects.toThrow(
      /invalid ip/,
    );
    expect(existsSync(fake.keys[0]?.path ?? '')).toBe(false);
  });

  it('uses a key file given by path where it is', async () => {
    const path = join(tempDir(), 'private.key');
    writeFileSync(path, key, { mode: 0o600 });
    const fake = fakeCi();
    await uploadBuild({
      ci: fake.ci,
      inputs: { ...inputs, key: { source: 'WECHAT_UPLOAD_KEY_PATH', path } },
      projectPath: '/d',
      log: () => {},
    });
    expect(fake.projects[0]?.privateKeyPath).toBe(path);
    expect(existsSync(path)).toBe(true);
  });

  it('never prints the key', async () => {
    const fake = fakeCi({ fail: new Error('signature check failed') });
    const lines: string[] = [];
    await uploadBuild({ ci: fake.ci, inputs, projectPath: '/d', log: (line) => lines.push(line) }).catch(() => {});
    const body = key.split('\n')[1] ?? '';
    expect(body.length).toBeGreaterThan(20);
    expect(lines.join('\n')).not.toContain(body);
  });
});

describe('previewing through miniprogram-ci', () => {
  it("writes WeChat's QR code as a PNG and draws the same code for the terminal", async () => {
    const fake = fakeCi({ qrImage: await wechatQrJpeg(QR_CONTENT) });
    const qrPath = join(tempDir(), 'preview-qr.png');
    const preview = await previewBuild({ ci: fake.ci, inputs, projectPath: '/builds/dist', log: () => {}, qrPath });
    expect(preview.qrContent).toBe(QR_CONTENT);
    expect(readFileSync(qrPath).subarray(1, 4).toString()).toBe('PNG');
    expect(readQrCode(readFileSync(qrPath))).toBe(QR_CONTENT);
    expect(preview.terminal.split('\n').length).toBeGreaterThan(15);
    expect(fake.keys[0]?.mode).toBe(0o600);
    expect(existsSync(fake.keys[0]?.path ?? '')).toBe(false);
  });

  it('fails when the preview image holds no QR code', async () => {
    const blank = jpeg.encode({ data: Buffer.alloc(64 * 64 * 4, 255), width: 64, height: 64 }, 90).data;
    const fake = fakeCi({ qrImage: blank });
    await expect(
      previewBuild({ ci: fake.ci, inputs, projectPath: '/d', log: () => {}, qrPath: join(tempDir(), 'qr.png') }),
    ).rejects.toThrow(/no QR code/);
  });
});
