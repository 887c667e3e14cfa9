import { PhoneResponseSchema } from '@wxauth/contracts';
import type { PhoneNumber, WeChatClient } from '@wxauth/wechat';
import { Value } from 'typebox/value';
import type { Claims } from './claims.js';
import { CODE_LIFETIME_MS, claimKey, recallUpstreamFailure, rememberUpstreamFailure } from './code-exchange.js';
import { AppError } from './errors.js';
import type { Sealer } from './sealing.js';
import type { SessionUser } from './stores/store.js';
import { fromUpstream } from './upstream-errors.js';

const notYours = () =>
  new AppError(400, 'PHONE_CODE_INVALID', 'The phone-number code is invalid or was already used; ask the user again.', {
    action: { kind: 'fix-request' },
  });

function parsePhone(json: string | null): PhoneNumber | null {
  if (json === null) return null;
  const value: unknown = JSON.parse(json);
  return Value.Check(PhoneResponseSchema, value) ? value : null;
}

/**
 * Redeems getPhoneNumber codes exactly once: WeChat bills each success, so a retried request gets
 * the remembered number (sealed at rest, only for the user who redeemed it) instead of a second
 * redemption.
 */
export function createPhoneNumbers(deps: { claims: Claims; sealer: Sealer; pendingMs: number }) {
  const { claims, sealer } = deps;
  return {
    async redeem(client: WeChatClient, user: SessionUser, code: string): Promise<PhoneNumber> {
      try {
        const outcome = await claims.run(
          claimKey('p', client.appid, code),
          async () => {
            // With the session's openid, WeChat refuses a code that belongs to another user.
            const phone = await client.getPhoneNumber(code, { openid: user.openid });
            const { phoneNumber, purePhoneNumber, countryCode } = phone;
            return `${user.openid}|${sealer.seal(JSON.stringify({ phoneNumber, purePhoneNumber, countryCode }))}`;
          },
          {
            pendingMs: deps.pendingMs,
            settledMs: CODE_LIFETIME_MS,
            rememberFailure: (error) => rememberUpstreamFailure(error, CODE_LIFETIME_MS),
            recall: (kind) => recallUpstreamFailure(kind, '/wxa/business/getuserphonenumber'),
          },
        );
        const bar = outcome.indexOf('|');
        if (outcome.slice(0, bar) !== user.openid) throw notYours();
        const phone = parsePhone(sealer.open(outcome.slice(bar + 1)));
        if (!phone) throw notYours();
        return phone;
      } catch (error) {
        throw fromUpstream(error, 'phone');
      }
    },
  };
}

export type PhoneNumbers = ReturnType<typeof createPhoneNumbers>;
