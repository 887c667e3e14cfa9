import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import type { AuthenticatedSession } from '../sessions.js';

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

/** The token from `Authorization: Bearer <token>`: the only place a token is read (never the URL). */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header === undefined ? null : BEARER.exec(header);
  if (!match?.[1]) {
    throw new AppError(401, 'UNAUTHENTICATED', 'Send the session token as "Authorization: Bearer <token>".', {
      action: { kind: 'relogin' },
    });
  }
  return match[1];
}

/** The session of a route marked `auth`; reaching it without one is a wiring bug, not a client error. */
export function sessionOf(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) throw new AppError(500, 'INTERNAL', 'route is not guarded by the auth hook');
  return request.auth;
}

/**
 * Authenticates every request whose route the contract marks `auth: true`: one store round trip
 * that also slides the session's idle timeout. 401 UNAUTHENTICATED or SESSION_EXPIRED otherwise.
 */
async function authPlugin(app: FastifyInstance) {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.auth !== true) return;
    request.auth = await app.sessions.authenticate(bearerToken(request));
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['store'] });
