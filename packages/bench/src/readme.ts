import { readFileSync, writeFileSync } from 'node:fs';
import { markdownTable } from './format.js';
import { type BenchReport, FIGURE_HEADER, figureRows, VARIANT_HEADER, variantRows } from './report.js';

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/**
 * Rewrites the README's block between the bench markers with this run's tables, so the README
 * shows the latest full result (and its machine) without anyone copying numbers by hand.
 * Returns false when the README has no markers.
 */
export function updateReadme(readmePath: string, report: BenchReport, resultLink: string): boolean {
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return false;
  const { environment: env } = report;
  const block = [
    START,
    `Latest full run ([${resultLink}](${resultLink})): ${env.date.slice(0, 10)}, ${env.cpu.model}, ` +
      `${env.cpu.cores} cores (load average ${env.loadAverage[0]} at the start), Node ${env.node}, ` +
      `Redis ${env.redis}, commit \`${env.git.commit.slice(0, 10)}\`.`,
    '',
    markdownTable(VARIANT_HEADER, variantRows(report.variants)),
    '',
    markdownTable(FIGURE_HEADER, figureRows(report.figures)),
    END,
  ].join('\n');
  writeFileSync(readmePath, readme.slice(0, start) + block + readme.slice(end + END.length));
  return true;
}
