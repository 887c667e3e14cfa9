export const fmtInt = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
export const fmtMs = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '—');
export const fmtRatio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');

/** A figure with its unit ("12.34 ms", "0.80×", ">= 7×", "3/3", "—") rather than words. */
const NUMERIC = /^(?:[<>]=\s*)?(?:—|-?[\d,]+(?:\.\d+)?(?:\/\d+)?)\s*(?:×|ms|B|req\/s|%)?$/;

/** Per column: numbers right, words left (a column of numbers and blanks counts as numbers). */
function leftAligned(header: readonly string[], rows: readonly (readonly string[])[]): boolean[] {
  return header.map((_, column) => rows.some((row) => (row[column] ?? '') !== '' && !NUMERIC.test(row[column] ?? '')));
}

/** A plain-text table; the console's view of the results. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const left = leftAligned(header, rows);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (left[column] ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (row: readonly string[]) => `| ${row.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const left = leftAligned(header, rows);
  const rule = `|${header.map((_, column) => (left[column] ? '---' : '---:')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
