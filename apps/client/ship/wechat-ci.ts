import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadInputs } from './inputs.js';
import type { CiPackageInfo, CiTaskStatus, WeChatCi } from './miniprogram-ci.js';
import { withPrivateKeyFile } from './private-key.js';
import { readQrCode, writeQrCode } from './qr-code.js';

/**
 * The compile settings of the DevTools project (dist/project.config.json, Taro's: no ES6
 * transform and no minifying, the Taro build did both), so CI ships what DevTools would.
 */
export const UPLOAD_SETTING = { useProjectConfig: true } as const;

export interface ShipOptions {
  ci: WeChatCi;
  inputs: UploadInputs;
  /** The weapp build, as WeChat DevTools opens it. */
  projectPath: string;
  log: (line: string) => void;
  /** Cleanups a signal handler runs (the key file). */
  cleanups?: Set<() => void>;
}

function project(ci: WeChatCi, { inputs, projectPath }: ShipOptions, privateKeyPath: string) {
  return new ci.Project({ appid: inputs.appid, type: 'miniProgram', projectPath, privateKeyPath });
}

function progress(log: (line: string) => void) {
  return (task: CiTaskStatus | string) => {
    if (typeof task === 'string') log(task);
    else if (task.status !== 'doing') log(`${task.status === 'done' ? '✓' : task.status} ${task.message}`);
    else log(`… ${task.message}`);
  };
}

function sizes(result: CiPackageInfo): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const info = result.subPackageInfo ?? [];
  const full = info.find((item) => item.name === '__FULL__');
  const main = info.find((item) => item.name === '__APP__');
  return [full && `total ${kb(full.size)}`, main && `main package ${kb(main.size)}`].filter(Boolean).join(', ');
}

/** Uploads the build as a development version of the robot's slot; WeChat's error rejects. */
export async function uploadBuild(options: ShipOptions): Promise<void> {
  const { ci, inputs, log } = options;
  log(
    `uploading ${options.projectPath} to ${inputs.appid}: version ${inputs.version}, robot ${inputs.robot}, "${inputs.desc}"`,
  );
  const result = await withPrivateKeyFile(
    inputs.key,
    (privateKeyPath) =>
      ci.upload({
        project: project(ci, options, privateKeyPath),
        version: inputs.version,
        desc: inputs.desc,
        robot: inputs.robot,
        setting: UPLOAD_SETTING,
        onProgressUpdate: progress(log),
      }),
    options.cleanups,
  );
  log(
    `uploaded version ${inputs.version} (${sizes(result) || 'sizes not reported'}): in WeChat's admin console under 版本管理 → 开发版本`,
  );
}

/**
 * Uploads the build as a preview and writes its QR code as a PNG at `qrPath` (the code is read
 * from WeChat's image and drawn anew, so the PNG and the terminal show the same thing).
 */
export async function previewBuild(
  options: ShipOptions & { qrPath: string },
): Promise<{ qrContent: string; terminal: string }> {
  const { ci, inputs, log } = options;
  log(`previewing ${options.projectPath} as ${inputs.appid}, robot ${inputs.robot}, "${inputs.desc}"`);
  const dir = mkdtempSync(join(tmpdir(), 'wxauth-preview-'));
  try {
    const image = join(dir, 'wechat-qr');
    const result = await withPrivateKeyFile(
      inputs.key,
      (privateKeyPath) =>
        ci.preview({
          project: project(ci, options, privateKeyPath),
          version: inputs.version,
          desc: inputs.desc,
          robot: inputs.robot,
          setting: UPLOAD_SETTING,
          qrcodeFormat: 'image',
          qrcodeOutputDest: image,
          onProgressUpdate: progress(log),
        }),
      options.cleanups,
    );
    const qrContent = readQrCode(readFileSync(image));
    const terminal = await writeQrCode(qrContent, options.qrPath);
    log(`preview ready (${sizes(result) || 'sizes not reported'}): scan with WeChat; QR code in ${options.qrPath}`);
    return { qrContent, terminal };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
