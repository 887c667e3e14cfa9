import { existsSync, readFileSync } from 'node:fs';
import type { Environment } from './environment.js';
import { fmtInt, fmtMs, fmtRatio, markdownTable, textTable } from './format.js';
import type { MemoryResult } from './memory.js';
import type { BenchOptions } from './options.js';
import type { Figure, RunRecord, VariantSummary } from './summary.js';

export interface BenchReport {
  environment: Environment;
  options: BenchOptions;
  /** Parts of the issue's list that this run could not do, and why. */
  missing: string[];
  variants: VariantSummary[];
  figures: Figure[];
  memory: MemoryResult[];
  /** Every run, warm-ups (round 0) included, with its gate's verdict. */
  runs: RunRecord[];
  seconds: number;
}

export function variantRows(variants: readonly VariantSummary[]): string[][] {
  return variants.map((v) => [
    v.title,
    fmtInt(v.rps),
    fmtMs(v.p50),
    fmtMs(v.p99),
    fmtInt(v.serverMicros),
    fmtInt(v.redisMicros),
    `${v.validRounds}/${v.rounds}`,
    v.voidRuns.length === 0 ? '' : `void: ${v.voidRuns.map((r) => `r${r.round} ${r.problems.join('; ')}`).join(' | ')}`,
  ]);
}
export const VARIANT_HEADER = [
  'variant',
  'req/s',
  'p50 ms',
  'p99 ms',
  'server CPU µs/req',
  'Redis CPU µs/req',
  'valid',
  'notes',
];

function figureValue(figure: Figure): string {
  if (figure.unit === '×') return fmtRatio(figure.value);
  if (figure.unit === 'ms') return `${fmtMs(figure.value)} ms`;
  if (figure.unit === 'B') return `${fmtInt(figure.value)} B`;
  return `${fmtInt(figure.value)} req/s`;
}

export function figureRows(figures: readonly Figure[]): string[][] {
  return figures.map((f) => [
    f.name,
    figureValue(f),
    f.goal ? `${f.goal.op} ${f.goal.target}${f.unit === '×' ? '×' : ` ${f.unit}`}` : '',
    f.goal ? { met: 'met', missed: 'MISSED', void: 'void' }[f.goal.status] : '',
    f.basis,
    f.note ?? '',
  ]);
}
export const FIGURE_HEADER = ['figure', 'value', 'goal', 'status', 'basis', 'note'];

function memoryRows(memory: readonly MemoryResult[]): string[][] {
  return memory.flatMap((m) =>
    m.kinds.map((kind) => [
      m.stack,
      kind.pattern,
      kind.type,
      fmtInt(kind.keys),
      fmtInt(kind.sampleUsage),
      fmtInt(kind.bytesPerSession),
    ]),
  );
}
const MEMORY_HEADER = ['stack', 'key', 'type', 'keys', 'MEMORY USAGE of one', 'B per session'];

export function consoleReport(report: BenchReport): string {
  const parts = [
    textTable(VARIANT_HEADER, variantRows(report.variants)),
    '',
    textTable(FIGURE_HEADER, figureRows(report.figures)),
  ];
  if (report.memory.length > 0) parts.push('', textTable(MEMORY_HEADER, memoryRows(report.memory)));
  if (report.missing.length > 0) parts.push('', ...report.missing.map((why) => `not measured: ${why}`));
  return parts.join('\n');
}

function machine(environment: Environment): string {
  const { cpu } = environment;
  return `${cpu.model}, ${cpu.cores} cores (${cpu.availableParallelism} usable), ${environment.memoryGiB} GiB, ${environment.os}`;
}

export function markdownReport(report: BenchReport, findingsFile: string): string {
  const { environment: env, options } = report;
  const versions = Object.entries(env.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const lines = [
    `# wxauth benchmark — ${env.date.slice(0, 10)} (${options.mode})`,
    '',
    `- **Machine:** ${machine(env)}; load average at start ${env.loadAverage.join(' / ')}`,
    `- **Software:** Node ${env.node}, Redis ${env.redis}; ${versions}`,
    `- **Commit:** \`${env.git.commit}\` on \`${env.git.branch}\`${env.git.dirty ? ' (with uncommitted changes)' : ''}`,
    `- **Method:** ${options.connections} connections, no pipelining; one discarded ${options.warmup} s warm-up per variant, then ${options.rounds} rounds of ${options.duration} s with the variants interleaved; medians of the valid rounds; ratios are medians of same-round ratios; ${options.sessions.toLocaleString('en-US')} pre-created sessions per authenticated variant, rotated across connections. Load generator, servers and Redis share the machine. Took ${Math.round(report.seconds)} s.`,
    '',
    '## Throughput and latency',
    '',
    markdownTable(VARIANT_HEADER, variantRows(report.variants)),
    '',
    '## Figures',
    '',
    markdownTable(FIGURE_HEADER, figureRows(report.figures)),
  ];
  if (report.memory.length > 0) {
    lines.push('', '## Redis memory by kind of key', '', markdownTable(MEMORY_HEADER, memoryRows(report.memory)));
  }
  if (report.missing.length > 0) {
    lines.push('', '## Not measured in this run', '', ...report.missing.map((why) => `- ${why}`));
  }
  if (existsSync(findingsFile)) lines.push('', readFileSync(findingsFile, 'utf8').trim());
  return `${lines.join('\n')}\n`;
}
