import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import { answerFailure, answerOutcome, checkCredentials, PLAIN, param } from '../wechat-reply.js';

/** GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code */
export function code2SessionRoute(app: FastifyInstance, ctx: SimContext): void {
  app.get('/sns/jscode2session', async (request, reply) => {
    const { query } = request;
    const credentials = checkCredentials(ctx.apps, param(query, 'appid'), param(query, 'secret'));
    if (!credentials.ok) return answerFailure(reply, credentials.errcode);
    const code = param(query, 'js_code');
    if (code === undefined || code === '') return answerFailure(reply, WeChatErrcode.codeMissing);
    if (param(query, 'grant_type') !== 'authorization_code')
      return answerFailure(reply, WeChatErrcode.invalidGrantType);
    const exchange = ctx.users.exchange(credentials.value, code);
    const quirk = ctx.config.okErrcode ? { errcode: 0, errmsg: 'ok' } : {};
    return answerOutcome(reply, exchange, (session) => ({ ...session, ...quirk }), PLAIN);
  });
}
