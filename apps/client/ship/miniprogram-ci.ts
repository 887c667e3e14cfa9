/**
 * The part of WeChat's `miniprogram-ci` this project uses, typed here: the package's own typings
 * contradict themselves under `exactOptionalPropertyTypes` (its Project is not its IProject), and
 * tests pass fakes that implement only this much.
 */

/** An opened project: a build folder, its appid and (for uploads) its key. */
export interface CiProject {
  readonly appid: string;
  readonly projectPath: string;
}

export interface CiProjectOptions {
  appid: string;
  type: 'miniProgram';
  projectPath: string;
  privateKeyPath?: string;
  privateKey?: string;
  /** The project's attributes; without it miniprogram-ci asks WeChat for them (a signed request). */
  attr?: () => Promise<unknown>;
}

export interface CiTaskStatus {
  id: string;
  message: string;
  status: 'doing' | 'done' | 'fail' | 'warn' | 'info';
}

/** `useProjectConfig`: the DevTools project's settings (dist/project.config.json), then these overrides. */
export interface CiCompileSetting {
  useProjectConfig?: boolean;
  es6?: boolean;
}

export interface CiUploadOptions {
  project: CiProject;
  version: string;
  desc: string;
  robot: number;
  setting: CiCompileSetting;
  onProgressUpdate: (task: CiTaskStatus | string) => void;
}

export interface CiPreviewOptions extends CiUploadOptions {
  qrcodeFormat: 'image';
  qrcodeOutputDest: string;
}

export interface CiPackageInfo {
  subPackageInfo?: { name: string; size: number }[];
}

/** What an upload or a preview needs. */
export interface WeChatCi {
  Project: new (options: CiProjectOptions) => CiProject;
  upload(options: CiUploadOptions): Promise<CiPackageInfo>;
  preview(options: CiPreviewOptions): Promise<CiPackageInfo>;
}

/** What the offline check needs. */
export interface WeChatCompiler {
  Project: new (options: CiProjectOptions) => CiProject;
  DefaultProjectAttr: {
    setting: { MaxCodeSize: number; MaxSubpackageSubCodeSize: number; MaxSubpackageFullCodeSize: number };
  };
  getCompiledResult(options: {
    project: CiProject;
    version: string;
    setting: CiCompileSetting;
  }): Promise<Record<string, unknown>>;
  checkCodeQuality(
    project: CiProject,
  ): Promise<{ name?: string; success?: boolean; text?: string; detail?: unknown }[]>;
}

/** miniprogram-ci itself (loading it takes seconds: only once every refusal is behind us). */
export async function loadMiniprogramCi(): Promise<WeChatCi & WeChatCompiler> {
  const ci = await import('miniprogram-ci');
  type RealProject = Parameters<typeof ci.upload>[0]['project'];
  const real = (project: CiProject): CiProject & RealProject => {
    if (!isRealProject(project)) throw new TypeError('not a project made by miniprogram-ci');
    return project;
  };
  function isRealProject(project: CiProject): project is CiProject & RealProject {
    return project instanceof ci.Project;
  }
  return {
    Project: ci.Project,
    DefaultProjectAttr: ci.DefaultProjectAttr,
    upload: (options) => ci.upload({ ...options, project: real(options.project) }),
    preview: (options) => ci.preview({ ...options, project: real(options.project) }),
    getCompiledResult: (options) => ci.getCompiledResult({ ...options, project: real(options.project) }),
    checkCodeQuality: (project) => ci.checkCodeQuality(real(project)),
  };
}
