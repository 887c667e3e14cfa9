import type { FastifyInstance, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthenticatedSession } from '../auth/sessions.js';
import { AppError } from '../errors.js';
import type { CachedSession } from '../session-cache/session-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session behind the bearer token; set before the handler of every route marked `auth`. */
    auth: AuthenticatedSession | null;
  }
  interface FastifyContextConfig {
    /** From the contract's route table (fromContract): the route needs a live session. */
    auth?: boolean;
  }
}

const BEARER = /^Bearer +(\S+)$/i;

// Made once and thrown as it is: a refusal costs no stack capture (see sessions.ts).
const NO_BEARER = new AppError(401, 'UNAUTHENTICATED', 'Send the session token as "Authorization: Bearer <token>".', {
  action: { kind: 'relogin' },
});

/** The token from `Authorization: Bearer <token>`: the only place a token is read (never the URL). */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header === undefined ? null : BEARER.exec(header);
  if (!match?.[1]) throw NO_BEARER;
  return match[1];
}

/** The session of a route marked `auth`; reaching it without one is a wiring bug, not a client error. */
export function sessionOf(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) throw new AppError(500, 'INTERNAL', 'route is not guarded by the auth hook');
  return request.auth;
}

/**
 * Authenticates every request whose route the contract marks `auth: true`: from the session cache
 * when it may answer, else one store round trip that also slides the session's idle timeout.
 * 401 UNAUTHENTICATED or SESSION_EXPIRED otherwise.
 */
async function authPlugin(app: FastifyInstance) {
  app.decorateRequest('auth', null);
  const { sessions } = app;

  const fromStore = (request: FastifyRequest, id: string, done: HookHandlerDoneFunction) => {
    sessions.authenticateId(id).then((session) => {
      request.auth = session;
      done();
    }, done);
  };
  const confirmHit = (request: FastifyRequest, session: CachedSession, done: HookHandlerDoneFunction) => {
    if (!sessions.confirmCached(session)) return fromStore(request, session.id, done);
    request.auth = session;
    done();
  };
  // A callback hook, not an async one: a hit costs no promise.
  const authenticate: onRequestHookHandler = (request, _reply, done) => {
    let id: string;
    try {
      id = sessions.idOf(bearerToken(request));
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const hit = sessions.cached(id);
    if (hit === undefined) fromStore(request, id, done);
    // Answered on the next turn of the event loop, once invalidations already received are read.
    else setImmediate(confirmHit, request, hit, done);
  };
  // Attached to the guarded routes only, when they are declared, rather than run for every request
  // to look the route's config up (`request.routeOptions` builds a new object on each read).
  app.addHook('onRoute', (route) => {
    if (route.config?.auth !== true) return;
    const existing = route.onRequest;
    route.onRequest = existing === undefined ? [authenticate] : [...[existing].flat(), authenticate];
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['sessions'] });
