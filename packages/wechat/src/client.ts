import {
  AccessTokenSuccessSchema,
  CheckSessionResponseSchema,
  Code2SessionSuccessSchema,
  PhoneNumberSuccessSchema,
  ResetSessionKeySuccessSchema,
  WeChatErrcode,
} from '@wxauth/contracts';
import { createAccessTokenManager } from './access-token.js';
import { TOKEN_REJECTED } from './errcodes.js';
import { createMemoryTokenCache } from './memory-token-cache.js';
import { errcodeOf, expectSuccess } from './responses.js';
import { callUpstream, type RetryPolicy, type UpstreamAnswer } from './retry.js';
import { resetSessionKey } from './session-key-reset.js';
import { resolveSettings } from './settings.js';
import { sessionKeySignature } from './signatures.js';
import { createTransport, type UpstreamCall } from './transport.js';
import type { CachedAccessToken, WeChatClient, WeChatClientOptions } from './types.js';

export function createWeChatClient(options: WeChatClientOptions): WeChatClient {
  const settings = resolveSettings(options);
  const { appid, secret, now } = settings;
  const transport = createTransport(settings.baseUrl, settings.connections);
  const tokenEndpoint = settings.tokenKind === 'stable' ? '/cgi-bin/stable_token' : '/cgi-bin/token';

  const call = (upstream: UpstreamCall, policy: RetryPolicy = settings.retry) =>
    callUpstream(transport, upstream, policy);

  /**
   * A call that spends a single-use code. After a failed attempt the code may already be spent,
   * so "code used" on the retry is the earlier failure, not the client's fault: it needs a new code.
   */
  async function spendCode(upstream: UpstreamCall, spentErrcode: number): Promise<UpstreamAnswer> {
    const answer = await call(upstream, settings.codeRetry);
    if (answer.earlierFailure !== undefined && errcodeOf(answer.json) === spentErrcode) throw answer.earlierFailure;
    return answer;
  }

  async function fetchToken(forceRefresh: boolean): Promise<CachedAccessToken> {
    const started = now();
    const upstream: UpstreamCall =
      settings.tokenKind === 'stable'
        ? {
            endpoint: tokenEndpoint,
            method: 'POST',
            query: {},
            body: { grant_type: 'client_credential', appid, secret, force_refresh: forceRefresh },
          }
        : { endpoint: tokenEndpoint, method: 'GET', query: { grant_type: 'client_credential', appid, secret } };
    const { json } = await call(upstream);
    const granted = expectSuccess(tokenEndpoint, json, AccessTokenSuccessSchema, [secret]);
    // Counted from before the request: the token's lifetime started somewhere during it.
    return { token: granted.access_token, expiresAt: started + granted.expires_in * 1000 };
  }

  const tokens = createAccessTokenManager({
    appid,
    endpoint: tokenEndpoint,
    cache: settings.tokenCache ?? createMemoryTokenCache({ now }),
    fetch: fetchToken,
    fetchAllowed: settings.production || !settings.productionAppids.includes(appid),
    now,
    refreshAheadMs: settings.refreshAheadMs,
    lockTtlMs: settings.lockTtlMs,
    lockWaitMs: settings.lockTtlMs + 1000,
  });

  /**
   * A token-protected call; on 40001/40014/42001 it retries once with a replaced token. `tokens` are
   * the ones sent, to keep out of error messages.
   */
  async function withToken(
    build: (token: string) => UpstreamCall,
    send: (upstream: UpstreamCall) => Promise<UpstreamAnswer> = (upstream) => call(upstream),
  ): Promise<{ json: unknown; tokens: string[] }> {
    const token = await tokens.get();
    const { json } = await send(build(token));
    const errcode = errcodeOf(json);
    if (errcode === undefined || !TOKEN_REJECTED.has(errcode)) return { json, tokens: [token] };
    const replaced = await tokens.replace(token);
    return { json: (await send(build(replaced))).json, tokens: [token, replaced] };
  }

  /** The session-key APIs: a GET signed with hex(HMAC-SHA256(session_key, "")). */
  function signedCall(endpoint: string, openid: string, sessionKey: string, policy: RetryPolicy = settings.retry) {
    const signature = sessionKeySignature(sessionKey);
    return withToken(
      (accessToken) => ({
        endpoint,
        method: 'GET',
        query: { access_token: accessToken, openid, signature, sig_method: 'hmac_sha256' },
      }),
      (upstream) => call(upstream, policy),
    );
  }

  async function checkSessionKey({ openid, sessionKey }: { openid: string; sessionKey: string }) {
    const endpoint = '/wxa/checksession';
    const { json, tokens: sent } = await signedCall(endpoint, openid, sessionKey);
    if (errcodeOf(json) === WeChatErrcode.invalidSignature) return false;
    expectSuccess(endpoint, json, CheckSessionResponseSchema, [secret, ...sent, sessionKey]);
    return true;
  }

  return {
    appid,

    async code2Session(code) {
      const endpoint = '/sns/jscode2session';
      const { json } = await spendCode(
        { endpoint, method: 'GET', query: { appid, secret, js_code: code, grant_type: 'authorization_code' } },
        WeChatErrcode.codeUsed,
      );
      const session = expectSuccess(endpoint, json, Code2SessionSuccessSchema, [secret, code]);
      return {
        openid: session.openid,
        sessionKey: session.session_key,
        ...(session.unionid === undefined ? {} : { unionid: session.unionid }),
      };
    },

    getAccessToken: (getOptions) => tokens.get(getOptions),

    checkSessionKey,

    resetUserSessionKey({ openid, sessionKey }) {
      const endpoint = '/wxa/resetusersessionkey';
      return resetSessionKey({
        endpoint,
        policy: settings.retry,
        async attempt() {
          const { json, tokens: sent } = await signedCall(endpoint, openid, sessionKey, {
            ...settings.retry,
            attempts: 1,
          });
          const reset = expectSuccess(endpoint, json, ResetSessionKeySuccessSchema, [secret, ...sent, sessionKey]);
          return { openid: reset.openid, sessionKey: reset.session_key };
        },
        oldKeyValid: () => checkSessionKey({ openid, sessionKey }),
      });
    },

    async getPhoneNumber(code, { openid } = {}) {
      const endpoint = '/wxa/business/getuserphonenumber';
      const body = openid === undefined ? { code } : { code, openid };
      // The phone code is single-use and billed: a retry after a failure is judged like code2Session's.
      const { json, tokens: sent } = await withToken(
        (accessToken) => ({ endpoint, method: 'POST', query: { access_token: accessToken }, body }),
        (upstream) => spendCode(upstream, WeChatErrcode.invalidCode),
      );
      const { phone_info: phone } = expectSuccess(endpoint, json, PhoneNumberSuccessSchema, [secret, ...sent, code]);
      return {
        phoneNumber: phone.phoneNumber,
        purePhoneNumber: phone.purePhoneNumber,
        countryCode: String(phone.countryCode),
        watermark: { appid: phone.watermark.appid, timestamp: phone.watermark.timestamp },
      };
    },

    close: () => transport.close(),
  };
}
