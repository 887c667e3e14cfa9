import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench.js';
import { REPO_ROOT } from './environment.js';
import { parseOptions, USAGE } from './options.js';
import { updateReadme } from './readme.js';
import { consoleReport, markdownReport } from './report.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const FINDINGS = fileURLToPath(new URL('../findings.md', import.meta.url));

function log(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const stem = options.only ? 'partial' : options.mode === 'quick' ? 'quick' : 'latest';
  const profileDir = options.profile
    ? `${RESULTS}profiles/${new Date().toISOString().replaceAll(':', '-')}`
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  log(
    `${options.mode} run: ${options.rounds} rounds × ${options.duration} s, ${options.connections} connections` +
      (options.only ? `, only ${options.only.join(', ')}` : ''),
  );

  const report = await runBench(options, profileDir, log);

  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${RESULTS}${stem}.md`, markdownReport(report, FINDINGS));
  console.log(`\n${consoleReport(report)}\n`);
  log(`wrote results/${stem}.md and results/${stem}.json in ${Math.round(report.seconds)} s`);
  if (stem === 'latest' && updateReadme(`${REPO_ROOT}README.md`, report, 'packages/bench/results/latest.md')) {
    log('updated the Benchmarks section of README.md');
  }
  if (profileDir) log(`CPU profiles in ${profileDir}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
