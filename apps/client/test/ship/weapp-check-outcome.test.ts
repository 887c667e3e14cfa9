import { describe, expect, it } from 'vitest';
import { type ChildOutcome, judge, parseChildOutcome } from '../../ship/weapp-check-outcome.js';

const MB = 1024 * 1024;
const limits = { MaxCodeSize: 2, MaxSubpackageSubCodeSize: 2, MaxSubpackageFullCodeSize: 12 };
const compiled = (sizes: Record<string, number>, advice: string[] = [], syntaxErrors: string[] = []): ChildOutcome => ({
  ok: true,
  files: 20,
  limits,
  syntaxErrors,
  quality: [
    { name: 'PACKAGE_SIZE_LIMIT', success: true, text: 'Main package size should be less than 1.5 M', detail: sizes },
    ...advice.map((text) => ({ name: 'JS_COMPRESS_OPEN', success: false, text, detail: undefined })),
  ],
});

describe('the verdict on what WeChat compiler reported', () => {
  it('passes a compiled build within the limits, with advice that does not block', () => {
    const verdict = judge(compiled({ __APP__: 305_137 }, ['JS compression is not turned on']));
    expect(verdict).toEqual({
      passed: true,
      problems: [],
      advice: ['JS compression is not turned on'],
      summary: '20 files compiled; main package 298.0 KB',
    });
  });

  it.each([
    [{ __APP__: 2 * MB + 1 }, /^the main package is 2048\.0 KB, over WeChat's 2 MB limit$/],
    [{ __APP__: MB, 'packageA/': 2 * MB + 1 }, /^subpackage packageA\/ is 2048\.0 KB, over WeChat's 2 MB limit$/],
    [
      { __APP__: 2 * MB, a: 2 * MB, b: 2 * MB, c: 2 * MB, d: 2 * MB, e: 2 * MB, f: 1 },
      /^all packages together are 12288\.0 KB, over WeChat's 12 MB limit$/,
    ],
  ])('fails packages over WeChat limits: %o', (sizes, problem) => {
    const verdict = judge(compiled(sizes));
    expect(verdict.problems).toEqual([expect.stringMatching(problem)]);
    expect(verdict.passed).toBe(false);
  });

  it("fails what the compiler rejected, with WeChat's code and message", () => {
    const verdict = judge({
      ok: false,
      code: 10005,
      message: 'app.json: ["pages"][1] could not find "pages/phone/index.wxml"',
    });
    expect(verdict.problems).toEqual([
      'WeChat\'s compiler rejected the build (miniprogram-ci code 10005): app.json: ["pages"][1] could not find "pages/phone/index.wxml"',
    ]);
    expect(verdict.passed).toBe(false);
  });

  it('fails a compiled file that does not parse, naming it', () => {
    const verdict = judge(compiled({ __APP__: 1000 }, [], ["pages/index/index.js:1: Unexpected token '('"]));
    expect(verdict.problems).toEqual([
      "a JS syntax error WeChat would ship: pages/index/index.js:1: Unexpected token '('",
    ]);
    expect(verdict.passed).toBe(false);
  });

  it('fails a check that tried to reach the network, even when the build is fine', () => {
    const verdict = judge(compiled({ __APP__: 1000 }), ['a connection to servicewechat.com:443']);
    expect(verdict.problems).toEqual(['the check tried to reach the network: a connection to servicewechat.com:443']);
    expect(verdict.passed).toBe(false);
  });

  it('fails when the sizes are missing rather than passing blind', () => {
    expect(judge({ ok: true, files: 1, limits, quality: [], syntaxErrors: [] }).passed).toBe(false);
  });

  it.each(['[]', '{"ok":true}', '{"ok":true,"files":1,"limits":{},"quality":[],"syntaxErrors":[]}'])(
    'rejects a report of another shape: %s',
    (json) => {
      expect(() => parseChildOutcome(json)).toThrow();
    },
  );
});
