import type { ErrorBody, ErrorCode, RouteName } from '@wxauth/contracts';
import { endpoints } from '@wxauth/contracts/endpoints';
import type { HttpRequest, HttpResponse } from '../../src/api/typed-api';
import { type HeldRequest, holdRequest } from './held-request';

/** A reply the test scripts for the next request(s) to one route, ahead of the fake's own logic. */
export type Scripted = HttpResponse | 'no-answer';

export function errorReply(status: number, code: ErrorCode, extra: Partial<ErrorBody['error']> = {}): HttpResponse {
  return { status, body: { error: { code, message: code.toLowerCase(), ...extra } } };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The wxauth server's contract, in memory: codes are single-use, tokens map to sessions that a
 * test can expire, and any route can be scripted to answer something else first.
 */
export class FakeServer {
  readonly idleSeconds = 7200;
  readonly calls: { route: RouteName; token: string | undefined }[] = [];
  /** The body of every POST /auth/login, in order. */
  readonly loginBodies: unknown[] = [];
  private readonly sessions = new Map<string, string>();
  private readonly usedCodes = new Set<string>();
  private readonly scripted = new Map<RouteName, Scripted[]>();
  private expireAt: { route: RouteName; calls: number } | undefined;
  private readonly held = new Map<RouteName, () => Promise<void>>();
  private issued = 0;
  private tokens = 0;

  /** What wx.login would hand out. */
  issueCode(): string {
    this.issued += 1;
    return `code-${this.issued}`;
  }

  /** The next `count` requests to `route` get `reply` (a response, or no answer at all). */
  script(route: RouteName, reply: Scripted, count = 1): void {
    const queue = this.scripted.get(route) ?? [];
    for (let i = 0; i < count; i += 1) queue.push(reply);
    this.scripted.set(route, queue);
  }

  /** The next request to `route` is on the wire: the server sees it only once it is released. */
  hold(route: RouteName): HeldRequest {
    const { held, pass } = holdRequest();
    this.held.set(route, pass);
    return held;
  }

  /** The server forgets every session, as after an idle timeout or a Redis flush. */
  expireAll(): void {
    this.sessions.clear();
  }

  /** Expires every session once `route` has answered `calls` requests: an expiry mid-burst. */
  expireAfter(route: RouteName, calls: number): void {
    this.expireAt = { route, calls: this.count(route) + calls };
  }

  count(route: RouteName): number {
    return this.calls.filter((call) => call.route === route).length;
  }

  liveSessions(): number {
    return this.sessions.size;
  }

  readonly handle = async (request: HttpRequest): Promise<HttpResponse> => {
    await tick();
    const route = routeOf(request);
    const pass = this.held.get(route);
    if (pass !== undefined) {
      this.held.delete(route);
      await pass();
    }
    const token = request.headers['authorization']?.replace(/^Bearer /, '');
    this.calls.push({ route, token });
    if (route === 'login') this.loginBodies.push(request.body);
    if (this.expireAt?.route === route && this.count(route) > this.expireAt.calls) {
      this.expireAt = undefined;
      this.expireAll();
    }
    const next = this.scripted.get(route)?.shift();
    if (next === 'no-answer') throw new Error('request:fail timeout');
    if (next !== undefined) return next;
    if (route === 'login') return this.login(request.body);
    const openid = token === undefined ? undefined : this.sessions.get(token);
    if (token === undefined || openid === undefined) {
      return errorReply(401, token === undefined ? 'UNAUTHENTICATED' : 'SESSION_EXPIRED', {
        action: { kind: 'relogin' },
      });
    }
    switch (route) {
      case 'session':
        return { status: 200, body: { user: { openid }, expiresIn: this.idleSeconds } };
      case 'phone':
        return {
          status: 200,
          body: { phoneNumber: '+8613800000000', purePhoneNumber: '13800000000', countryCode: '86' },
        };
      case 'decrypt':
        return { status: 200, body: { data: { request: request.body } } };
      case 'logout':
        this.sessions.delete(token);
        return { status: 204, body: '' };
      case 'logoutAll':
        this.sessions.clear();
        return { status: 204, body: '' };
      default:
        return errorReply(404, 'NOT_FOUND');
    }
  };

  private login(body: unknown): HttpResponse {
    const code = typeof body === 'object' && body !== null && 'code' in body ? body.code : undefined;
    if (typeof code !== 'string' || !code.startsWith('code-')) return errorReply(401, 'INVALID_CODE');
    if (this.usedCodes.has(code)) return errorReply(401, 'CODE_USED');
    this.usedCodes.add(code);
    this.tokens += 1;
    const token = `token-${this.tokens}`;
    this.sessions.set(token, 'o-user-1');
    return { status: 200, body: { token, expiresIn: this.idleSeconds, user: { openid: 'o-user-1' } } };
  }
}

function routeOf(request: HttpRequest): RouteName {
  const path = new URL(request.url).pathname;
  for (const [name, endpoint] of Object.entries(endpoints)) {
    if (endpoint.url === path && endpoint.method === request.method && isRouteName(name)) return name;
  }
  throw new Error(`fake server: no route for ${request.method} ${path}`);
}

function isRouteName(name: string): name is RouteName {
  return name in endpoints;
}
