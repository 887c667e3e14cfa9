import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from './context.js';
import { isWeChatEndpoint, renderFault } from './faults.js';
import { accessTokenRoutes } from './routes/access-token.js';
import { code2SessionRoute } from './routes/code2session.js';
import { phoneNumberRoute } from './routes/phone-number.js';
import { sessionKeyRoutes } from './routes/session-key.js';
import type { Fault } from './schemas.js';

/**
 * WeChat's endpoints, in their own scope: bodies reach the handlers as raw strings whatever the
 * content type (WeChat parses JSON itself and answers 47001, never HTTP 400), and every call is
 * counted and may be faulted before or after the real handler runs.
 */
export async function wechatApi(app: FastifyInstance, ctx: SimContext): Promise<void> {
  const closing = new AbortController();
  const faultAfter = new WeakMap<FastifyRequest, Fault>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.addHook('preClose', async () => closing.abort());

  app.addHook('onRequest', async (request, reply) => {
    const endpoint = request.routeOptions.url ?? '';
    if (!isWeChatEndpoint(endpoint)) return;
    const fault = ctx.faults.record(endpoint);
    if (fault === undefined) return;
    if (fault.kind === 'hang') {
      await sleep(fault.ms, undefined, { signal: closing.signal }).catch(() => undefined);
      return;
    }
    if (fault.afterProcessing) {
      faultAfter.set(request, fault);
      return;
    }
    const rendered = renderFault(fault);
    return reply.code(rendered.status).type(rendered.contentType).send(rendered.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const fault = faultAfter.get(request);
    if (fault === undefined || fault.kind === 'hang') return payload;
    const rendered = renderFault(fault);
    reply.code(rendered.status).type(rendered.contentType);
    return rendered.body;
  });

  code2SessionRoute(app, ctx);
  accessTokenRoutes(app, ctx);
  sessionKeyRoutes(app, ctx);
  phoneNumberRoute(app, ctx);
}
