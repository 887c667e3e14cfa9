import { type WeChatClient, WeChatError } from '@wxauth/wechat';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { SessionUser } from '../stores/user-store.js';
import { fromUpstream } from '../upstream-errors.js';
import {
  ClaimKind,
  type Claims,
  CODE_LIFETIME_MS,
  claimKey,
  claimPendingMs,
  recallUpstreamFailure,
  rememberUpstreamFailure,
} from './claims.js';
import { mintToken, type Sessions, sessionIdOf } from './sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    codeExchange: CodeExchange;
  }
}

/** Identifiers go into key names and values: WeChat's are URL-safe, anything else is refused. */
export function isSafeIdentifier(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(value);
}

const codeUsed = () => new WeChatError('code-used', '/sns/jscode2session', 'The code was exchanged before');

const unusableIdentifier = () =>
  new AppError(502, 'UPSTREAM_UNAVAILABLE', 'WeChat returned an identifier the server cannot use.', {
    action: { kind: 'relogin' },
  });

export interface Login {
  user: SessionUser;
  token: string;
  expiresIn: number;
}

/**
 * The code-to-session exchange with de-duplication: concurrent requests carrying the same code,
 * and a client's retry after a lost answer, make exactly one code2Session call, and each gets a
 * session of the user it returned. The request that makes the call stores the session_key and its
 * own session in one write of the user's record before it records the claim's outcome, so every
 * waiter finds the key; each waiter then gets a session of its own.
 *
 * A used code is not a pass: the outcome is kept only for the replay window after the exchange,
 * and shared only while the session the exchange created is live (not logged out, not ended by
 * logout-all), otherwise CODE_USED; after the window WeChat itself refuses the spent code
 * (40163, CODE_USED), and that refusal is remembered.
 */
export function createCodeExchange(deps: {
  claims: Claims;
  sessions: Sessions;
  pendingMs: number;
  replayWindowMs: number;
}) {
  const { claims, sessions } = deps;
  return {
    async login(client: WeChatClient, code: string): Promise<Login> {
      try {
        // Set only in the request whose claim did the work (the others share its outcome).
        let own: Login | undefined;
        const outcome = await claims.run(
          claimKey(ClaimKind.login, client.appid, code),
          async () => {
            const result = await client.code2Session(code);
            const user: SessionUser = { appid: client.appid, openid: result.openid };
            if (result.unionid !== undefined) user.unionid = result.unionid;
            if (!isSafeIdentifier(user.openid) || (user.unionid !== undefined && !isSafeIdentifier(user.unionid))) {
              throw unusableIdentifier();
            }
            // Stored before the claim's outcome is recorded, so that every waiter, on any instance,
            // finds the session and the session_key. Sending both on one connection would not do:
            // on a Cluster the claim and the user's hash live on different nodes.
            const token = mintToken(user);
            own = { user, ...(await sessions.issue(user, result.sessionKey, token)) };
            return `${sessionIdOf(token)}|${user.openid}|${user.unionid ?? ''}`;
          },
          {
            pendingMs: deps.pendingMs,
            replayWindowMs: deps.replayWindowMs,
            rememberFailure: (error) => rememberUpstreamFailure(error, CODE_LIFETIME_MS),
            recall: (kind) => recallUpstreamFailure(kind, '/sns/jscode2session'),
          },
        );
        if (own) return own;
        const [ownerSession = '', openid, unionid] = outcome.split('|');
        if (!openid) throw unusableIdentifier();
        if (!(await sessions.isLive(ownerSession))) throw codeUsed();
        const user: SessionUser = unionid ? { appid: client.appid, openid, unionid } : { appid: client.appid, openid };
        return { user, ...(await sessions.issue(user)) };
      } catch (error) {
        throw fromUpstream(error, 'login');
      }
    },
  };
}

export type CodeExchange = ReturnType<typeof createCodeExchange>;

async function codeExchangePlugin(app: FastifyInstance, options: { config: Config }) {
  const { config } = options;
  app.decorate(
    'codeExchange',
    createCodeExchange({
      claims: app.claims,
      sessions: app.sessions,
      pendingMs: claimPendingMs(config),
      replayWindowMs: config.codeReplayWindowMs,
    }),
  );
}

export default fp(codeExchangePlugin, { name: 'code-exchange', dependencies: ['claims', 'sessions'] });
