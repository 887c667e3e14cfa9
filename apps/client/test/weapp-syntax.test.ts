import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { newerSyntax, scripts } from './support/syntax-level';

const client = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(client, 'dist');
const fixtures = join(client, 'test', 'fixtures', 'syntax');

// project.config.json says "es6": false (WeChat runs the code as built), so the bundle must be the
// syntax every supported client parses: ES5. Why ES5 and how the build gets there: the README's
// "Syntax level" section.
const WEAPP_ECMA_VERSION = 5;

describe('the syntax level of the weapp build', () => {
  it('the DevTools project leaves the code as built ("es6": false) and names its base library', () => {
    const project: unknown = JSON.parse(readFileSync(join(client, 'project.config.json'), 'utf8'));
    expect(project).toMatchObject({ libVersion: expect.any(String), setting: { es6: false } });
  });

  it('the check fails on a file with `??` (ES2020) and passes its ES5 equivalent', () => {
    const found = newerSyntax(scripts(fixtures), WEAPP_ECMA_VERSION);
    expect(found.map(({ file }) => relative(fixtures, file))).toEqual(['nullish.js']);
    expect(found[0]?.error).toContain('options.now ??');
  });

  it(`every .js in dist parses as ES${WEAPP_ECMA_VERSION}`, () => {
    const files = scripts(dist);
    expect(files.length).toBeGreaterThan(0);
    expect(
      newerSyntax(files, WEAPP_ECMA_VERSION).map(({ file, error }) => `${relative(dist, file)}: ${error}`),
    ).toEqual([]);
  });
});
