import { type PhoneResponse, PhoneResponseSchema } from '@wxauth/contracts';
import type { WeChatClient } from '@wxauth/wechat';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Value } from 'typebox/value';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Sealer } from '../sealing.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
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
import type { AuthenticatedSession } from './sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    phoneNumbers: PhoneNumbers;
  }
}

const notYours = () =>
  new AppError(400, 'PHONE_CODE_INVALID', 'The phone-number code is invalid or was already used; ask the user again.', {
    action: { kind: 'fix-request' },
  });

const madeForAnotherApp = () =>
  new AppError(502, 'WATERMARK_MISMATCH', 'WeChat returned a phone number made for another mini-program.', {
    action: { kind: 'give-up' },
    expose: true,
  });

function parsePhone(json: string | null): PhoneResponse | null {
  if (json === null) return null;
  const value: unknown = JSON.parse(json);
  return Value.Check(PhoneResponseSchema, value) ? value : null;
}

/**
 * Redeems getPhoneNumber codes exactly once: WeChat bills each success, so a retry shortly after
 * (within the replay window, from the same session) gets the remembered number, sealed at rest,
 * instead of a second redemption. Any other request with the code is PHONE_CODE_INVALID (after
 * the window, WeChat's own refusal of a spent code), and a code WeChat refused is refused again
 * without asking WeChat.
 */
export function createPhoneNumbers(deps: {
  claims: Claims;
  store: KeyValueStore;
  sealer: Sealer;
  pendingMs: number;
  replayWindowMs: number;
}) {
  const { claims, store, sealer } = deps;
  return {
    async redeem(client: WeChatClient, session: AuthenticatedSession, code: string): Promise<PhoneResponse> {
      const key = claimKey(ClaimKind.phone, client.appid, code);
      const record = store.recordName(key);
      try {
        const outcome = await claims.run(
          key,
          async () => {
            // With the session's openid, WeChat refuses a code that belongs to another user.
            const phone = await client.getPhoneNumber(code, { openid: session.user.openid });
            if (phone.watermark.appid !== client.appid) throw madeForAnotherApp();
            const { phoneNumber, purePhoneNumber, countryCode } = phone;
            return `${session.id}|${sealer.seal(JSON.stringify({ phoneNumber, purePhoneNumber, countryCode }), record)}`;
          },
          {
            pendingMs: deps.pendingMs,
            replayWindowMs: deps.replayWindowMs,
            rememberFailure: (error) => rememberUpstreamFailure(error, CODE_LIFETIME_MS),
            recall: (kind) => recallUpstreamFailure(kind, '/wxa/business/getuserphonenumber'),
          },
        );
        const bar = outcome.indexOf('|');
        if (outcome.slice(0, bar) !== session.id) throw notYours();
        const phone = parsePhone(sealer.open(outcome.slice(bar + 1), record));
        if (!phone) throw notYours();
        return phone;
      } catch (error) {
        throw fromUpstream(error, 'phone');
      }
    },
  };
}

export type PhoneNumbers = ReturnType<typeof createPhoneNumbers>;

async function phoneNumbersPlugin(app: FastifyInstance, options: { config: Config }) {
  const { config } = options;
  app.decorate(
    'phoneNumbers',
    createPhoneNumbers({
      claims: app.claims,
      store: app.keyValueStore,
      sealer: app.sealer,
      pendingMs: claimPendingMs(config),
      replayWindowMs: config.codeReplayWindowMs,
    }),
  );
}

export default fp(phoneNumbersPlugin, { name: 'phone-numbers', dependencies: ['claims', 'store', 'sealer'] });
