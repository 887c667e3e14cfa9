import autocannon from 'autocannon';

export interface HarvestSpec<T> {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  count: number;
  /** The JSON body of request number `index`. */
  body(index: number): unknown;
  /** What to keep from a response; throw to fail the harvest (e.g. on an unexpected status). */
  pick(status: number, body: string, headers: Record<string, string | string[] | undefined>): T;
  connections?: number;
}

/**
 * Makes exactly `count` requests as fast as the server answers and keeps one value from each:
 * how the bench mints codes and creates its sessions through the real routes. autocannon here,
 * because fetch on Node 20 manages about half the rate and session creation is on the clock.
 */
export async function harvest<T>(spec: HarvestSpec<T>): Promise<T[]> {
  const values: T[] = [];
  const failures: string[] = [];
  let index = 0;
  const result = await autocannon({
    url: spec.url,
    connections: Math.min(spec.connections ?? 32, spec.count),
    amount: spec.count,
    pipelining: 1,
    // autocannon notices that all requests are done on its sampling tick (1 s by default).
    sampleInt: 50,
    requests: [
      {
        method: spec.method,
        path: spec.path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          request.body = JSON.stringify(spec.body(index++));
          return request;
        },
        onResponse: (status, body, _context, headers) => {
          try {
            values.push(spec.pick(status, body, headers ?? {}));
          } catch (error) {
            if (failures.length < 3) failures.push(error instanceof Error ? error.message : String(error));
          }
        },
      },
    ],
  });
  if (failures.length > 0 || result.errors > 0 || values.length !== spec.count) {
    const detail = failures.join('; ') || `${result.errors} errors`;
    throw new Error(`${spec.method} ${spec.path}: ${values.length}/${spec.count} usable responses (${detail})`);
  }
  return values;
}
