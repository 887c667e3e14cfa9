/**
 * Everything the server says during a test file (log lines, response headers and bodies), and
 * every secret the tests handed it or got from it: checked at the end of the file (setup.ts) so
 * that no secret leaks out in a log line or a response. The one response allowed to contain a
 * token is the login response that issues it.
 */
export const leakWatch = {
  logs: [] as string[],
  responses: [] as { text: string; allowedToken?: string }[],
  secrets: new Map<string, string>(),

  logStream: {
    write(line: string) {
      leakWatch.logs.push(line);
    },
  },

  secret(kind: string, value: string | undefined) {
    // Short values (a bare "1") would match by accident; every real secret is far longer.
    if (value !== undefined && value.length >= 8) leakWatch.secrets.set(value, kind);
  },

  /** Lines or responses that contain a secret, as "<kind> in <where>: <excerpt>". */
  findLeaks(): string[] {
    const found: string[] = [];
    for (const [value, kind] of leakWatch.secrets) {
      for (const line of leakWatch.logs)
        if (line.includes(value)) found.push(`${kind} in a log line: ${line.slice(0, 300)}`);
      for (const response of leakWatch.responses) {
        if (response.allowedToken === value) continue;
        if (response.text.includes(value)) found.push(`${kind} in a response: ${response.text.slice(0, 300)}`);
      }
    }
    return found;
  },
};
