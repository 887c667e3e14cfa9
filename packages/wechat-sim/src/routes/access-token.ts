import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import { answer, answerFailure, checkCredentials, jsonObject, param } from '../wechat-reply.js';

/** getAccessToken's and getStableAccessToken's tables: "40001 AppSecret错误或者AppSecret不属于这个小程序". */
const WRONG_SECRET = WeChatErrcode.invalidCredential;

/** GET /cgi-bin/token and POST /cgi-bin/stable_token. */
export function accessTokenRoutes(app: FastifyInstance, ctx: SimContext): void {
  const quirk = () => (ctx.config.okErrcode ? { errcode: 0, errmsg: 'ok' } : {});

  app.get('/cgi-bin/token', async (request, reply) => {
    const { query } = request;
    const credentials = checkCredentials(ctx.apps, param(query, 'appid'), param(query, 'secret'), WRONG_SECRET);
    if (!credentials.ok) return answerFailure(reply, credentials.errcode);
    if (param(query, 'grant_type') !== 'client_credential') return answerFailure(reply, WeChatErrcode.invalidGrantType);
    return answer(reply, { ...ctx.tokens.plain(credentials.value), ...quirk() });
  });

  app.post('/cgi-bin/stable_token', async (request, reply) => {
    const body = jsonObject(request.body);
    if (body === undefined) return answerFailure(reply, WeChatErrcode.dataFormatError);
    const field = (name: string): unknown => Reflect.get(body, name);
    const appid = field('appid');
    const secret = field('secret');
    const credentials = checkCredentials(
      ctx.apps,
      typeof appid === 'string' ? appid : undefined,
      typeof secret === 'string' ? secret : undefined,
      WRONG_SECRET,
    );
    if (!credentials.ok) return answerFailure(reply, credentials.errcode);
    if (field('grant_type') !== 'client_credential') return answerFailure(reply, WeChatErrcode.invalidGrantType);
    const force = field('force_refresh');
    if (force !== undefined && typeof force !== 'boolean') return answerFailure(reply, WeChatErrcode.dataFormatError);
    const grant = ctx.tokens.stable(credentials.value, force === true);
    if (!grant.ok) return answerFailure(reply, grant.errcode);
    return answer(reply, { ...grant.value, ...quirk() });
  });
}
