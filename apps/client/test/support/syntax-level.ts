import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ecmaVersion, parse } from 'acorn';

/** Every `.js` file under `dir`, recursively. */
export function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scripts(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

/**
 * The files that do not parse as scripts of `version` (WeChat loads each as a plain script), each
 * with the parser's message and the code around the first offending token.
 */
export function newerSyntax(files: string[], version: ecmaVersion): { file: string; error: string }[] {
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    try {
      parse(text, { ecmaVersion: version, sourceType: 'script' });
      return [];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const at = error instanceof SyntaxError && 'pos' in error && typeof error.pos === 'number' ? error.pos : 0;
      return [{ file, error: `${message}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 20))}` }];
    }
  });
}
