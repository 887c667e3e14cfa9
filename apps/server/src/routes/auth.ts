import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { routes, type User } from '@wxauth/contracts';
import type { Config } from '../config.js';
import { sessionOf } from '../plugins/auth.js';
import { clientAddress } from '../plugins/rate-limit.js';
import type { SessionUser } from '../stores/user-store.js';
import { fromContract } from './contract.js';

/** What a client may know of its user: never the appid's secret, never the session_key. */
function publicUser(user: SessionUser): User {
  return user.unionid === undefined ? { openid: user.openid } : { openid: user.openid, unionid: user.unionid };
}

const secondsUntil = (epochMs: number) => Math.max(0, Math.floor((epochMs - Date.now()) / 1000));

/** Login, session, logout, phone number and decryption: the session routes of the contract. */
const authRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const limits = config.rateLimits;
  // Per session and per user: each call may reach WeChat (phone numbers are billed) or burn CPU.
  const perSessionAndUser = (name: string, max: { session: number; user: number }) => [
    app.rateLimitBy(`${name}:s`, { max: max.session, key: (request) => sessionOf(request).id }),
    app.rateLimitBy(`${name}:u`, {
      max: max.user,
      key: (request) => {
        const { user } = sessionOf(request);
        return `${user.appid}:${user.openid}`;
      },
    }),
  ];

  app.route({
    ...fromContract(routes.login),
    // Per client IP (TRUST_PROXY decides what the client IP is behind a proxy), before the body is read.
    onRequest: app.rateLimitBy('login', { max: limits.login, key: clientAddress }),
    handler: async (request) => {
      const client = app.wechat.client(request.body.appid);
      const { token, expiresIn, user } = await app.codeExchange.login(client, request.body.code);
      return { token, expiresIn, user: publicUser(user) };
    },
  });

  app.route({
    ...fromContract(routes.session),
    handler: async (request) => {
      const session = sessionOf(request);
      return { user: publicUser(session.user), expiresIn: secondsUntil(session.expiresAt) };
    },
  });

  app.route({
    ...fromContract(routes.logout),
    handler: async (request, reply) => {
      await app.sessions.end(sessionOf(request).id);
      return reply.code(204).send(null);
    },
  });

  app.route({
    ...fromContract(routes.logoutAll),
    handler: async (request, reply) => {
      await app.sessions.endAll(sessionOf(request).user);
      return reply.code(204).send(null);
    },
  });

  // After the auth hook (onRequest), which these limits' keys come from.
  app.route({
    ...fromContract(routes.phone),
    preValidation: perSessionAndUser('phone', limits.phone),
    handler: async (request) => {
      const session = sessionOf(request);
      return app.phoneNumbers.redeem(app.wechat.client(session.user.appid), session, request.body.code);
    },
  });

  app.route({
    ...fromContract(routes.decrypt),
    preValidation: perSessionAndUser('decrypt', limits.decrypt),
    handler: async (request) => ({ data: await app.userData.decrypt(sessionOf(request).user, request.body) }),
  });
};

export default authRoutes;
