// The child process of the weapp check (weapp-check.ts starts it, offline and time-bounded):
// WeChat's own compiler and code-quality check on one build folder; the outcome as JSON in the
// file named by argv[3]. It exits by itself because miniprogram-ci never lets a process end.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { SIMULATOR_APPID } from './inputs.js';
import { loadMiniprogramCi } from './miniprogram-ci.js';
import { CHECK_SETTING, type ChildOutcome } from './weapp-check-outcome.js';

const require = createRequire(import.meta.url);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The compiler asks servicewechat.com for the file types a package may hold, and uses its built-in
 * list when that fails: answer with that built-in list here, and refuse any other request, so the
 * compiler never opens a connection (the offline guard would record one and fail the check).
 * miniprogram-ci is pinned; should these internals move, the guard still stops the request.
 */
function answerWeChatLocally(): void {
  const requests: unknown = require('miniprogram-ci/dist/utils/request');
  const lists: unknown = require('miniprogram-ci/dist/utils/white_ext_list');
  if (!isRecord(requests) || !isRecord(lists)) return;
  const body = JSON.stringify({
    errCode: 0,
    data: { miniProgram: lists['MiniProgramWhiteList'], game: lists['GameWhiteList'] },
  });
  requests['request'] = async (options: unknown) => {
    const url = isRecord(options) && typeof options['url'] === 'string' ? options['url'] : '';
    if (url.startsWith('https://servicewechat.com/wxa/ci/getwhiteextlist')) return { resp: { statusCode: 200 }, body };
    // Recorded even if the compiler falls back quietly: the check fails on it (weapp-check.ts).
    const log = process.env['WXAUTH_OFFLINE_LOG'];
    if (log) appendFileSync(log, `a request to ${url || 'an unknown URL'}\n`);
    throw new Error(`offline check: refused a request to ${url || 'an unknown URL'}`);
  };
}

/**
 * A compiled JS file that does not parse, with where: V8 parses it (without running it) as the body
 * of a function, which is how the mini-program runtime loads each file.
 */
function syntaxErrorOf(file: string, code: unknown): string[] {
  if (!file.endsWith('.js') || (typeof code !== 'string' && !Buffer.isBuffer(code))) return [];
  try {
    compileFunction(code.toString(), ['require', 'module', 'exports'], { filename: file });
    return [];
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const line = /:(\d+)\n/.exec(error.stack ?? '')?.[1];
    return [`${file}${line ? `:${line}` : ''}: ${error.message}`];
  }
}

async function check(projectPath: string): Promise<ChildOutcome> {
  answerWeChatLocally();
  const ci = await loadMiniprogramCi();
  // The project's attributes (package size limits and the like) come from WeChat's defaults
  // instead of WeChat's server: without `attr`, miniprogram-ci signs a request for them with the
  // upload key (a network call, and a key this check neither has nor needs).
  const project = new ci.Project({
    // Any appid will do: nothing is asked of WeChat.
    appid: SIMULATOR_APPID,
    type: 'miniProgram',
    projectPath,
    privateKey: 'unused: attr() is local',
    attr: async () => ci.DefaultProjectAttr,
  });
  try {
    const compiled = await ci.getCompiledResult({ project, version: '0.0.0', setting: CHECK_SETTING });
    const quality = await ci.checkCodeQuality(project);
    const syntaxErrors = Object.entries(compiled).flatMap(([file, code]) => syntaxErrorOf(file, code));
    return {
      ok: true,
      files: Object.keys(compiled).length,
      limits: ci.DefaultProjectAttr.setting,
      quality: quality.map(({ name, success, text, detail }) => ({ name, success: success === true, text, detail })),
      syntaxErrors,
    };
  } catch (error) {
    const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined;
    return {
      ok: false,
      code: typeof code === 'number' ? code : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

const [, , projectPath = '', outcomeFile = ''] = process.argv;
check(projectPath).then(
  (outcome) => {
    writeFileSync(outcomeFile, JSON.stringify(outcome));
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
