/**
 * Everything the server says during a test file (log lines, response headers and bodies), and
 * every secret the tests handed it or got from it: checked at the end of the file (setup.ts) so
 * that no secret leaks out in a log line or a response. The one response allowed to contain a
 * token is the login response that issues it.
 */
export function createLeakWatch() {
  const watch = {
    logs: [] as string[],
    responses: [] as { text: string; allowedToken?: string }[],
    secrets: new Map<string, string>(),

    logStream: {
      write(line: string) {
        watch.logs.push(line);
      },
    },

    secret(kind: string, value: string | undefined) {
      // Short values (a bare "1") would match by accident; every real secret is far longer.
      if (value !== undefined && value.length >= 8 && !watch.secrets.has(value)) watch.secrets.set(value, kind);
    },

    /** Lines or responses that contain a secret, as "<kind> in <where>: <excerpt>". */
    findLeaks(): string[] {
      const found: string[] = [];
      for (const [value, kind] of watch.secrets) {
        for (const line of watch.logs)
          if (line.includes(value)) found.push(`${kind} in a log line: ${line.slice(0, 300)}`);
        for (const response of watch.responses) {
          if (response.allowedToken === value) continue;
          if (response.text.includes(value)) found.push(`${kind} in a response: ${response.text.slice(0, 300)}`);
        }
      }
      return found;
    },
  };
  return watch;
}

/** The watch every test app of a file reports to (vitest runs each file in its own module scope). */
export const leakWatch = createLeakWatch();
