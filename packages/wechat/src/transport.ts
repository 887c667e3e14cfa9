import { Pool } from 'undici';

export interface UpstreamCall {
  /** The path, e.g. "/sns/jscode2session"; errors name it, never the query string. */
  endpoint: string;
  method: 'GET' | 'POST';
  query: Readonly<Record<string, string>>;
  body?: object;
}

export type Attempt =
  | { ok: true; json: unknown }
  | { ok: false; retryable: boolean; kind: 'unavailable' | 'bad-response'; reason: string; cause?: Error };

export interface Transport {
  /** One HTTP call, aborted after timeoutMs (headers and body together). Never throws. */
  send(call: UpstreamCall, timeoutMs: number): Promise<Attempt>;
  close(): Promise<void>;
}

/** WeChat's answers are a few hundred bytes; anything this large is not one of them. */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * A cause that is safe to log: undici's errors can carry the request (and so the query string
 * with the secret or the code); only their name and code are kept.
 */
function safeCause(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined;
  return new Error(typeof code === 'string' ? `${name} ${code}` : name);
}

async function readLimited(body: AsyncIterable<Buffer>): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A keep-alive connection pool to one origin (WeChat's, or the simulator's). */
export function createTransport(baseUrl: string, connections: number): Transport {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, { connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 });

  return {
    async send(call, timeoutMs) {
      // A timer cleared as soon as the call ends, rather than AbortSignal.timeout's, which stays
      // armed for the whole timeout and then fires (building a DOMException) after every call.
      const controller = new AbortController();
      const { signal } = controller;
      const timer = setTimeout(() => controller.abort(), Math.max(1, Math.ceil(timeoutMs)));
      timer.unref();
      let status: number;
      let text: string | undefined;
      try {
        const response = await pool.request({
          path: `${prefix}${call.endpoint}?${new URLSearchParams(call.query).toString()}`,
          method: call.method,
          headers: { accept: 'application/json', ...(call.body ? { 'content-type': 'application/json' } : {}) },
          body: call.body ? JSON.stringify(call.body) : null,
          signal,
        });
        status = response.statusCode;
        text = await readLimited(response.body);
        if (text === undefined) response.body.destroy();
      } catch (error) {
        const reason = signal.aborted
          ? `no answer within ${Math.ceil(timeoutMs)} ms`
          : `network error (${safeCause(error).message})`;
        return { ok: false, retryable: true, kind: 'unavailable', reason, cause: safeCause(error) };
      } finally {
        clearTimeout(timer);
      }
      if (status >= 500) return { ok: false, retryable: true, kind: 'unavailable', reason: `HTTP ${status}` };
      if (status !== 200) return { ok: false, retryable: false, kind: 'bad-response', reason: `HTTP ${status}` };
      if (text === undefined) {
        return { ok: false, retryable: false, kind: 'bad-response', reason: `a body over ${MAX_BODY_BYTES} bytes` };
      }
      // WeChat sends JSON under text/plain at times: the content type is not looked at.
      try {
        return { ok: true, json: JSON.parse(text) };
      } catch {
        const html = /^\s*</.test(text);
        return {
          ok: false,
          retryable: false,
          kind: 'bad-response',
          reason: html ? 'an HTML page' : 'a body that is not JSON',
        };
      }
    },
    close: () => pool.close(),
  };
}
