import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { routes, type User } from '@wxauth/contracts';
import type { Config } from '../config.js';
import { sessionOf } from '../plugins/auth.js';
import type { SessionUser } from '../stores/store.js';
import { fromContract } from './contract.js';

/** What a client may know of its user: never the appid's secret, never the session_key. */
function publicUser(user: SessionUser): User {
  return user.unionid === undefined ? { openid: user.openid } : { openid: user.openid, unionid: user.unionid };
}

const secondsUntil = (epochMs: number) => Math.max(0, Math.floor((epochMs - Date.now()) / 1000));

/** Login, session, logout, phone number and decryption: the session routes of the contract. */
const authRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const login = fromContract(routes.login);
  app.route({
    ...login,
    // Per client IP and minute (TRUST_PROXY decides what the client IP is behind a proxy).
    config: { ...login.config, rateLimit: { max: config.loginRateLimit, timeWindow: 60_000 } },
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

  app.route({
    ...fromContract(routes.phone),
    handler: async (request) => {
      const { user } = sessionOf(request);
      return app.phoneNumbers.redeem(app.wechat.client(user.appid), user, request.body.code);
    },
  });

  app.route({
    ...fromContract(routes.decrypt),
    handler: async (request) => ({ data: await app.userData.decrypt(sessionOf(request).user, request.body) }),
  });
};

export default authRoutes;
