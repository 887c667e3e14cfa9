import { setTimeout as sleep } from 'node:timers/promises';
import { WeChatErrcode } from '@wxauth/contracts';
import { WeChatError, type WeChatErrorKind } from './errors.js';
import type { Attempt, Transport, UpstreamCall } from './transport.js';

export interface RetryPolicy {
  /** Calls at most, the first included. */
  attempts: number;
  /** No retry starts once this much time has passed since the first call began. */
  budgetMs: number;
  /** Hard limit on each call; a retry also gets no more than what is left of the budget. */
  timeoutMs: number;
}

export interface UpstreamAnswer {
  json: unknown;
  /** Set when an attempt before the one that answered failed: the call may have been processed. */
  earlierFailure?: WeChatError;
}

type Failure = Extract<Attempt, { ok: false }> | { ok: false; retryable: true; kind: 'system-busy'; reason: string };

/** Base of the exponential backoff; each delay is drawn between half and all of base·2^(n-1). */
const BACKOFF_BASE_MS = 50;
/** A retry with less time than this left would only time out. */
const MIN_ATTEMPT_MS = 100;

/**
 * The pause before retry number `attempt` (1 = the first retry): jittered, doubling each time.
 * The client's retry executor draws its pauses the same way (apps/client/src/auth/retry-executor.ts)
 * with its own copy: the mini-program takes only types from our packages, no code. The server's
 * claim polling is not a retry and polls without jitter (apps/server: claims).
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  return BACKOFF_BASE_MS * 2 ** (attempt - 1) * (0.5 + random() / 2);
}

function isSystemBusy(json: unknown): boolean {
  return typeof json === 'object' && json !== null && Reflect.get(json, 'errcode') === WeChatErrcode.systemBusy;
}

function toError(call: UpstreamCall, failure: Failure, attempts: number): WeChatError {
  const tries = attempts === 1 ? '' : ` (${attempts} attempts)`;
  const message =
    failure.kind === 'system-busy'
      ? `WeChat ${call.endpoint} answered errcode -1, system busy${tries}`
      : `WeChat ${call.endpoint}: ${failure.reason}${tries}`;
  const cause = 'cause' in failure ? failure.cause : undefined;
  const kind: WeChatErrorKind = failure.kind;
  return new WeChatError(
    kind,
    call.endpoint,
    message,
    failure.kind === 'system-busy' ? WeChatErrcode.systemBusy : undefined,
    { cause },
  );
}

/**
 * Calls upstream, retrying only what may succeed on a second try: errcode -1, network errors,
 * timeouts and HTTP 5xx. Every other answer, errcodes included, goes back to the caller at once.
 */
export async function callUpstream(
  transport: Transport,
  call: UpstreamCall,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Promise<UpstreamAnswer> {
  const started = performance.now();
  let earlierFailure: WeChatError | undefined;
  for (let attempt = 1; ; attempt++) {
    const left = policy.budgetMs - (performance.now() - started);
    const result = await transport.send(call, attempt === 1 ? policy.timeoutMs : Math.min(policy.timeoutMs, left));
    let failure: Failure;
    if (!result.ok) failure = result;
    else if (isSystemBusy(result.json))
      failure = { ok: false, retryable: true, kind: 'system-busy', reason: 'errcode -1' };
    else return earlierFailure === undefined ? { json: result.json } : { json: result.json, earlierFailure };
    earlierFailure ??= toError(call, failure, attempt);
    const delay = backoffDelay(attempt, random);
    const elapsed = performance.now() - started;
    if (!failure.retryable || attempt >= policy.attempts || elapsed + delay + MIN_ATTEMPT_MS > policy.budgetMs) {
      throw toError(call, failure, attempt);
    }
    await sleep(delay);
  }
}
