import { setTimeout as sleep } from 'node:timers/promises';
import { WeChatError, type WeChatErrorKind } from './errors.js';
import { backoffDelay, type RetryPolicy } from './retry.js';

/** Failures after which WeChat may have processed the call all the same: -1, no answer, a 5xx, an unreadable answer. */
const AMBIGUOUS: ReadonlySet<WeChatErrorKind> = new Set(['system-busy', 'unavailable', 'bad-response']);

export interface SessionKeyReset<T> {
  endpoint: string;
  /** One call of resetusersessionkey, signed with the old key, never retried by itself. */
  attempt(): Promise<T>;
  /** Whether WeChat still accepts the old key (checksession with it). */
  oldKeyValid(): Promise<boolean>;
  /** How many attempts, within which budget, while the old key is known to be valid. */
  policy: RetryPolicy;
}

function lost(endpoint: string, failure: WeChatError, cause: unknown = failure): WeChatError {
  return new WeChatError(
    'outcome-unknown',
    endpoint,
    `WeChat ${endpoint} may have reset the session_key but its answer was lost (${failure.message}); the old key no longer works, or could not be checked, and the new one is unknown: the user must log in again (wx.login) for a key`,
    failure.errcode,
    { cause },
  );
}

/**
 * resetusersessionkey without a blind retry. A reset WeChat processed but answered with -1 or a
 * timeout has replaced the key the request was signed with: a retry signed with the old key gets
 * 87009 and the new key is gone without a word. So after an ambiguous failure the old key is
 * checked first: still valid, nothing happened and the reset is tried again (within the policy);
 * no longer valid, or not checkable, the outcome is unknown and says so (`outcome-unknown`: log
 * the user in again). A 87009 on a retry means the same, since an earlier attempt may have
 * landed late.
 */
export async function resetSessionKey<T>(reset: SessionKeyReset<T>): Promise<T> {
  const started = performance.now();
  let uncertain: WeChatError | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await reset.attempt();
    } catch (error) {
      if (!(error instanceof WeChatError)) throw error;
      if (uncertain !== undefined && error.kind === 'invalid-signature') throw lost(reset.endpoint, uncertain, error);
      if (!AMBIGUOUS.has(error.kind)) throw error;
      uncertain = error;
      let stillValid: boolean;
      try {
        stillValid = await reset.oldKeyValid();
      } catch (checkError) {
        throw lost(reset.endpoint, error, checkError);
      }
      if (!stillValid) throw lost(reset.endpoint, error);
      // The old key still works, so this attempt changed nothing: the error is the whole truth.
      const delay = backoffDelay(attempt);
      const retryable = error.kind !== 'bad-response';
      const elapsed = performance.now() - started;
      if (!retryable || attempt >= reset.policy.attempts || elapsed + delay > reset.policy.budgetMs) throw error;
      await sleep(delay);
    }
  }
}
