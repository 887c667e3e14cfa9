import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TSchema } from 'typebox';
import type { SimContext } from '../context.js';
import {
  SimAppSchema,
  SimCallsSchema,
  SimClockBodySchema,
  SimClockSchema,
  SimCodeSchema,
  SimEncryptBodySchema,
  SimEncryptedSchema,
  SimFaultBodySchema,
  SimIdentitySchema,
  SimOkSchema,
  SimProblemSchema,
  SimQueuedSchema,
  SimSessionStateSchema,
  SimUserRefSchema,
  SimUserTraitsSchema,
} from '../schemas.js';
import { encryptUserData, rawDataSignature } from '../user-data-crypto.js';

const problems = { 404: SimProblemSchema, 409: SimProblemSchema };

/**
 * The client side of WeChat (what `wx.login`, a phone button or `wx.checkSession` would give a
 * mini program) and the test controls: faults, call counts, the clock, reset. A browser page on
 * another origin calls these during development, hence CORS on this scope only.
 */
export async function controlApi(parent: FastifyInstance, ctx: SimContext): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });
  app.options('/sim/*', async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .send(),
  );

  // Every route naming an { appid, user } needs a registered app first.
  const knownApp = async (request: { body: { appid: string } }, reply: FastifyReply) => {
    const { appid } = request.body;
    if (!ctx.apps.has(appid))
      return reply.code(404).send({ error: `unknown appid ${appid}: register it with POST /sim/apps` });
  };
  const forUser = <R extends TSchema>(ok: R) => ({
    schema: { body: SimUserRefSchema, response: { 200: ok, ...problems } },
    preHandler: knownApp,
  });
  const noSession = (reply: FastifyReply, user: string) =>
    reply.code(409).send({ error: `${user} has no valid login state: POST /sim/login first` });

  app.post('/sim/login', forUser(SimCodeSchema), async ({ body }) => ({
    code: ctx.users.login(body.appid, body.user),
  }));

  app.post('/sim/phone-code', forUser(SimCodeSchema), async ({ body }) => ({
    code: ctx.users.phoneCode(body.appid, body.user),
  }));

  app.post('/sim/check-session', forUser(SimSessionStateSchema), async ({ body }) => ({
    valid: ctx.users.clientSessionValid(body.appid, body.user),
  }));

  app.post('/sim/expire-session', forUser(SimOkSchema), async ({ body }, reply) =>
    ctx.users.expireSession(body.appid, body.user) ? { ok: true as const } : noSession(reply, body.user),
  );

  app.post('/sim/identity', forUser(SimIdentitySchema), async ({ body }) => ctx.users.identity(body.appid, body.user));

  app.post(
    '/sim/encrypt',
    {
      schema: { body: SimEncryptBodySchema, response: { 200: SimEncryptedSchema, ...problems } },
      preHandler: knownApp,
    },
    async ({ body: { appid, user, data } }, reply) => {
      const sessionKey = ctx.users.currentSessionKey(appid, user);
      if (sessionKey === undefined) return noSession(reply, user);
      const watermark = { timestamp: Math.floor(ctx.clock.now() / 1000), appid };
      const rawData = JSON.stringify(data);
      return {
        ...encryptUserData(sessionKey, JSON.stringify({ ...data, watermark })),
        rawData,
        signature: rawDataSignature(rawData, sessionKey),
      };
    },
  );

  app.post('/sim/users', { schema: { body: SimUserTraitsSchema, response: { 200: SimOkSchema } } }, async (request) => {
    const { user, ...traits } = request.body;
    ctx.users.describe(user, traits);
    return { ok: true as const };
  });

  app.post('/sim/apps', { schema: { body: SimAppSchema, response: { 200: SimOkSchema } } }, async (request) => {
    const { appid, ...app } = request.body;
    ctx.apps.set(appid, app);
    return { ok: true as const };
  });

  app.post(
    '/sim/faults',
    { schema: { body: SimFaultBodySchema, response: { 200: SimQueuedSchema } } },
    async (request) => {
      const { endpoint, fault, times } = request.body;
      return { pending: ctx.faults.push(endpoint, fault, times ?? 1) };
    },
  );

  app.get('/sim/calls', { schema: { response: { 200: SimCallsSchema } } }, async () => ctx.faults.calls());

  app.get('/sim/clock', { schema: { response: { 200: SimClockSchema } } }, async () => ({ now: ctx.clock.now() }));

  app.post(
    '/sim/clock',
    { schema: { body: SimClockBodySchema, response: { 200: SimClockSchema } } },
    async (request) => ({ now: ctx.clock.advance(request.body.advanceMs) }),
  );

  app.post('/sim/reset', { schema: { response: { 200: SimOkSchema } } }, async () => {
    ctx.reset();
    return { ok: true as const };
  });
}
