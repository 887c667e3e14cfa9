import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `pnpm --filter @wxauth/bench findings`: puts the current findings.md into the results files in
 * place of the copy they got when they were written, so analysis done after a run reaches its
 * result without running the 8-minute bench again. The measured figures are not touched.
 */
const FINDINGS = fileURLToPath(new URL('../findings.md', import.meta.url));
const HEADING = '\n## Findings';

const findings = readFileSync(FINDINGS, 'utf8').trim();
for (const stem of ['latest', 'quick', 'partial']) {
  const path = fileURLToPath(new URL(`../results/${stem}.md`, import.meta.url));
  if (!existsSync(path)) continue;
  const result = readFileSync(path, 'utf8');
  const cut = result.indexOf(HEADING);
  const measured = (cut < 0 ? result : result.slice(0, cut)).trimEnd();
  writeFileSync(path, `${measured}\n\n${findings}\n`);
  console.log(`results/${stem}.md: findings refreshed`);
}
