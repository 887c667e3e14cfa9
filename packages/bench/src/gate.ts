export interface Observed {
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  expectStatus: number;
  /** The run's one-time inputs (codes) ran out before its end. */
  exhausted: boolean;
}

/**
 * The validity gate every run passes before its figures count: no errors or timeouts, at least
 * one response, every response the expected status. Returns why the run is void; empty = valid.
 */
export function judge(observed: Observed): string[] {
  const problems: string[] = [];
  if (observed.errors > 0) problems.push(`${observed.errors} errors`);
  if (observed.timeouts > 0) problems.push(`${observed.timeouts} timeouts`);
  if (Object.values(observed.statuses).every((count) => count === 0)) problems.push('no responses');
  const unexpected = Object.entries(observed.statuses).filter(([status]) => status !== String(observed.expectStatus));
  if (unexpected.length > 0) {
    const got = unexpected.map(([status, count]) => `${count}× ${status}`).join(', ');
    problems.push(`expected all ${observed.expectStatus}, got ${got}`);
  }
  if (observed.exhausted) problems.push('ran out of one-time codes before the end of the run');
  return problems;
}

export function countResponses(statuses: Record<string, number>): number {
  return Object.values(statuses).reduce((sum, count) => sum + count, 0);
}
