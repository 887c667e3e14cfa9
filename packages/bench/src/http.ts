/** Runs task(0..count-1) with at most `concurrency` in flight; results in index order. */
export async function mapConcurrent<T>(count: number, concurrency: number, task: (index: number) => Promise<T>) {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function requestJson(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the error message.
  }
  return { status: response.status, body, headers: response.headers };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `body.a.b…`, or undefined when any step is missing or not an object. */
export function valueAt(body: unknown, ...path: string[]): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (!isRecord(value)) return undefined;
    value = value[key];
  }
  return value;
}

export function stringAt(body: unknown, ...path: string[]): string | undefined {
  const value = valueAt(body, ...path);
  return typeof value === 'string' ? value : undefined;
}

export function expectStatus(what: string, response: JsonResponse, status: number): void {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  }
}
