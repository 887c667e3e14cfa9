import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import { answerFailure, answerOutcome, jsonObject, param } from '../wechat-reply.js';

/** POST /wxa/business/getuserphonenumber?access_token=TOKEN { "code": "...", "openid"?: "..." } */
export function phoneNumberRoute(app: FastifyInstance, ctx: SimContext): void {
  app.post('/wxa/business/getuserphonenumber', async (request, reply) => {
    const authorized = ctx.tokens.authorize(param(request.query, 'access_token'));
    if (!authorized.ok) return answerFailure(reply, authorized.errcode);
    const body = jsonObject(request.body);
    if (body === undefined) return answerFailure(reply, WeChatErrcode.dataFormatError);
    const code: unknown = Reflect.get(body, 'code');
    if (typeof code !== 'string' || code === '') return answerFailure(reply, WeChatErrcode.invalidCode);
    const openid: unknown = Reflect.get(body, 'openid');
    if (openid !== undefined && typeof openid !== 'string') return answerFailure(reply, WeChatErrcode.dataFormatError);
    const owner = openid === undefined || openid === '' ? undefined : openid;
    return answerOutcome(reply, ctx.users.redeemPhoneCode(authorized.value, code, owner), (phoneInfo) => ({
      errcode: 0,
      errmsg: 'ok',
      phone_info: phoneInfo,
    }));
  });
}
