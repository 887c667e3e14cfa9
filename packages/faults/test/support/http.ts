/** One answer as the fault suite records it. */
export interface Answer {
  status: number;
  body: string;
  startedAt: number;
  ms: number;
}

/** A request that never gets an answer fails after this: the suite tells a hang from a slow answer. */
const NO_HANG_MS = 15_000;

/** fetch, timed, never throwing: a network failure is status 0 (its message as the body). */
export async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const startedAt = Date.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(NO_HANG_MS) });
    const body = await response.text();
    return { status: response.status, body, startedAt, ms: Date.now() - startedAt };
  } catch (error) {
    const body = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: 0, body, startedAt, ms: Date.now() - startedAt };
  }
}

export const postJson = (url: string, body: unknown, token?: string) =>
  send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

export const getWith = (url: string, token: string) => send(url, { headers: { authorization: `Bearer ${token}` } });

/** Runs `step` from `workers` concurrent loops until `until()` says stop; every answer is kept. */
export async function load(workers: number, until: () => boolean, step: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) answers.push(await step());
    }),
  );
  return answers;
}

/** A status line per distinct answer kind, for an assertion's message. */
export function tally(answers: readonly { status: number }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
