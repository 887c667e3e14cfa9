import type { RouteBody, RouteName, RouteReply } from '@wxauth/contracts';
import { endpoints, type HttpMethod } from '@wxauth/contracts/endpoints';

/**
 * The typed API, derived from the contract's route table. Only the endpoint addresses are values
 * here; every request and response type comes from the schemas via `import type`, so no schema
 * library enters the mini-program bundle.
 *
 * Validation on the client is a deliberate choice: the server serializes every reply with the same
 * schemas, so a declared status is trusted to carry its declared body; anything else (a proxy's
 * HTML error page, a status the contract does not declare) is an UnexpectedResponseError.
 */
export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  body: unknown;
  /** Response headers, names in lower case. Only `retry-after` is read (by the session manager). */
  headers?: Record<string, string>;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
  constructor(
    readonly route: RouteName,
    readonly status: number,
  ) {
    super(`${route}: unexpected HTTP ${status}`);
  }
}

export interface CallOptions {
  /** Bearer token for routes that need a session. */
  token?: string | undefined;
}

type Call<N extends RouteName> =
  RouteBody<N> extends undefined
    ? (options?: CallOptions) => Promise<RouteReply<N>>
    : (body: RouteBody<N>, options?: CallOptions) => Promise<RouteReply<N>>;

/** One typed function per route of the contract: `api.login({ code })`, `api.session({ token })`. */
export type Api = { [N in RouteName]: Call<N> };

function isErrorEnvelope(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const { error } = body;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string';
}

// The one place a network reply becomes a typed reply; see the module comment for why it is trusted.
function toReply<N extends RouteName>(route: N, response: HttpResponse): RouteReply<N> {
  const ok = response.status >= 200 && response.status < 300;
  if (!ok && !isErrorEnvelope(response.body)) throw new UnexpectedResponseError(route, response.status);
  return { status: response.status, body: response.status === 204 ? null : response.body } as RouteReply<N>;
}

export function createApi(transport: Transport, baseUrl: string): Api {
  async function send<N extends RouteName>(
    route: N,
    body: RouteBody<N>,
    options: CallOptions | undefined,
  ): Promise<RouteReply<N>> {
    const { method, url, auth } = endpoints[route];
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && options?.token) headers['authorization'] = `Bearer ${options.token}`;
    const request: HttpRequest = { method, url: `${baseUrl}${url}`, headers };
    if (body !== undefined) request.body = body;
    return toReply(route, await transport(request));
  }

  // Listed by hand on purpose: a route added to or removed from the contract is a compile error here.
  return {
    login: (body, options) => send('login', body, options),
    session: (options) => send('session', undefined, options),
    logout: (options) => send('logout', undefined, options),
    logoutAll: (options) => send('logoutAll', undefined, options),
    phone: (body, options) => send('phone', body, options),
    decrypt: (body, options) => send('decrypt', body, options),
    healthz: (options) => send('healthz', undefined, options),
    readyz: (options) => send('readyz', undefined, options),
  };
}
