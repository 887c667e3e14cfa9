import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import type { Outcome } from '../errcodes.js';
import { answerFailure, answerOutcome, param } from '../wechat-reply.js';

interface SignedRequest {
  appid: string;
  openid: string;
  signature: string;
}

/** The common checks of both session-key APIs: a live token, `sig_method=hmac_sha256`, an openid and a signature. */
function signedRequest(ctx: SimContext, query: unknown): Outcome<SignedRequest> {
  const authorized = ctx.tokens.authorize(param(query, 'access_token'));
  if (!authorized.ok) return authorized;
  if (param(query, 'sig_method') !== 'hmac_sha256') return { ok: false, errcode: WeChatErrcode.badSigMethod };
  const openid = param(query, 'openid');
  if (openid === undefined || openid === '') return { ok: false, errcode: WeChatErrcode.invalidOpenid };
  const signature = param(query, 'signature') ?? '';
  return { ok: true, value: { appid: authorized.value, openid, signature } };
}

/** GET /wxa/checksession and GET /wxa/resetusersessionkey. */
export function sessionKeyRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/wxa/checksession', async (request, reply) => {
    const signed = signedRequest(ctx, request.query);
    if (!signed.ok) return answerFailure(reply, signed.errcode);
    const { appid, openid, signature } = signed.value;
    return answerOutcome(reply, ctx.users.checkSessionKey(appid, openid, signature), () => ({
      errcode: 0,
      errmsg: 'ok',
    }));
  });

  app.get('/wxa/resetusersessionkey', async (request, reply) => {
    const signed = signedRequest(ctx, request.query);
    if (!signed.ok) return answerFailure(reply, signed.errcode);
    const { appid, openid, signature } = signed.value;
    return answerOutcome(reply, ctx.users.resetSessionKey(appid, openid, signature), (reset) => ({
      errcode: 0,
      errmsg: 'ok',
      ...reset,
    }));
  });
}
