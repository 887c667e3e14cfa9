/**
 * What the weapp check's child reports, and the verdict on it. Pure, so the rules are tested
 * without WeChat's compiler.
 */

/**
 * What an upload compiles with (the DevTools project's settings: Taro's, no ES6 transform). With
 * the transform on, WeChat's Babel would parse every file again, and under pnpm its compiler loads
 * Babel plugins from pnpm's hidden hoisted copies, of whatever version ("_lruCache is not a
 * constructor"): syntax is checked on the compiled files instead.
 */
export const CHECK_SETTING = { useProjectConfig: true } as const;

export interface QualityItem {
  name: string | undefined;
  success: boolean;
  text: string | undefined;
  detail: unknown;
}

/** WeChat's package limits in MB (miniprogram-ci's DefaultProjectAttr.setting). */
export interface PackageLimits {
  MaxCodeSize: number;
  MaxSubpackageSubCodeSize: number;
  MaxSubpackageFullCodeSize: number;
}

export type ChildOutcome =
  | { ok: true; files: number; limits: PackageLimits; quality: QualityItem[]; syntaxErrors: string[] }
  | { ok: false; code?: number | undefined; message: string };

export interface Verdict {
  passed: boolean;
  /** Why WeChat would reject the build; empty when it passed. */
  problems: string[];
  /** WeChat's code-quality advice that does not block an upload. */
  advice: string[];
  /** Package sizes, or what the compiler said. */
  summary: string;
}

const MAIN_PACKAGE = '__APP__';
const MB = 1024 * 1024;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The child's JSON, checked rather than trusted. */
export function parseChildOutcome(json: string): ChildOutcome {
  const value: unknown = JSON.parse(json);
  if (!isRecord(value)) throw new Error('the check reported something that is not an object');
  if (value['ok'] === false && typeof value['message'] === 'string') {
    const code = value['code'];
    return { ok: false, code: typeof code === 'number' ? code : undefined, message: value['message'] };
  }
  const { files, limits, quality, syntaxErrors } = value;
  if (
    value['ok'] === true &&
    typeof files === 'number' &&
    isRecord(limits) &&
    Array.isArray(quality) &&
    Array.isArray(syntaxErrors)
  ) {
    const limit = (name: keyof PackageLimits) => {
      const mb = limits[name];
      if (typeof mb !== 'number') throw new Error(`the check reported no ${name}`);
      return mb;
    };
    return {
      ok: true,
      files,
      limits: {
        MaxCodeSize: limit('MaxCodeSize'),
        MaxSubpackageSubCodeSize: limit('MaxSubpackageSubCodeSize'),
        MaxSubpackageFullCodeSize: limit('MaxSubpackageFullCodeSize'),
      },
      quality: quality.filter(isRecord).map((item) => ({
        name: typeof item['name'] === 'string' ? item['name'] : undefined,
        success: item['success'] === true,
        text: typeof item['text'] === 'string' ? item['text'] : undefined,
        detail: item['detail'],
      })),
      syntaxErrors: syntaxErrors.filter((error) => typeof error === 'string'),
    };
  }
  throw new Error('the check reported an outcome of an unknown shape');
}

/** Package name → bytes, from the quality check's package-size item. */
function packageSizes(quality: readonly QualityItem[]): Map<string, number> | undefined {
  const detail = quality.find((item) => item.name === 'PACKAGE_SIZE_LIMIT')?.detail;
  if (!isRecord(detail)) return undefined;
  const sizes = new Map<string, number>();
  for (const [name, bytes] of Object.entries(detail)) if (typeof bytes === 'number') sizes.set(name, bytes);
  return sizes.has(MAIN_PACKAGE) ? sizes : undefined;
}

export function judge(outcome: ChildOutcome, offlineViolations: readonly string[] = []): Verdict {
  const problems = offlineViolations.map((what) => `the check tried to reach the network: ${what}`);
  if (!outcome.ok) {
    const code = outcome.code === undefined ? '' : ` (miniprogram-ci code ${outcome.code})`;
    problems.push(`WeChat's compiler rejected the build${code}: ${outcome.message}`);
    return { passed: false, problems, advice: [], summary: 'not compiled' };
  }
  for (const error of outcome.syntaxErrors) problems.push(`a JS syntax error WeChat would ship: ${error}`);
  const sizes = packageSizes(outcome.quality);
  if (!sizes) {
    problems.push("WeChat's quality check reported no package sizes");
    return { passed: false, problems, advice: [], summary: `${outcome.files} files compiled` };
  }
  const { MaxCodeSize, MaxSubpackageSubCodeSize, MaxSubpackageFullCodeSize } = outcome.limits;
  let total = 0;
  for (const [name, bytes] of sizes) {
    total += bytes;
    const limitMb = name === MAIN_PACKAGE ? MaxCodeSize : MaxSubpackageSubCodeSize;
    if (bytes > limitMb * MB) {
      const what = name === MAIN_PACKAGE ? 'the main package' : `subpackage ${name}`;
      problems.push(`${what} is ${kb(bytes)}, over WeChat's ${limitMb} MB limit`);
    }
  }
  if (total > MaxSubpackageFullCodeSize * MB) {
    problems.push(`all packages together are ${kb(total)}, over WeChat's ${MaxSubpackageFullCodeSize} MB limit`);
  }
  const advice = outcome.quality
    .filter((item) => !item.success)
    .map((item) => item.text ?? item.name ?? 'unnamed check');
  const summary = [...sizes]
    .map(([name, bytes]) => `${name === MAIN_PACKAGE ? 'main package' : name} ${kb(bytes)}`)
    .join(', ');
  return { passed: problems.length === 0, problems, advice, summary: `${outcome.files} files compiled; ${summary}` };
}
