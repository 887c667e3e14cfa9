import type { SessionPolicy } from './user-store.js';

/** A session's two times, as both user stores keep them. */
export interface SessionTimes {
  /** Epoch ms; the absolute deadline is createdAt + maxAge. */
  createdAt: number;
  /** Epoch ms of the last recorded use; the session idles out at lastSeen + idle. */
  lastSeen: number;
}

/**
 * A session's value in its user's hash: createdAt as 6 bytes big-endian epoch milliseconds (good
 * until year 10889), then lastSeen − createdAt in as few big-endian bytes as it needs (none for a
 * new session, 4 for up to 49 days). Binary and short because it is most of what a session costs
 * (it is what Redis memory grows by per session); the login script reads it with
 * string.byte, without parsing text.
 */
export function encodeTimes(times: SessionTimes): Buffer {
  const delta = times.lastSeen - times.createdAt;
  let length = 0;
  while (length < 6 && delta >= 2 ** (8 * length)) length++;
  const value = Buffer.alloc(6 + length);
  value.writeUIntBE(times.createdAt, 0, 6);
  if (length > 0) value.writeUIntBE(delta, 6, length);
  return value;
}

export function decodeTimes(value: Uint8Array): SessionTimes | null {
  if (value.length < 6 || value.length > 12) return null;
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const createdAt = bytes.readUIntBE(0, 6);
  return { createdAt, lastSeen: createdAt + (bytes.length > 6 ? bytes.readUIntBE(6, bytes.length - 6) : 0) };
}

/** When the session ends unless used again: min(lastSeen + idle, createdAt + maxAge). */
export function sessionEnd(times: SessionTimes, policy: SessionPolicy): number {
  return Math.min(times.lastSeen + policy.idleMs, times.createdAt + policy.maxAgeMs);
}

export type TouchOutcome =
  /** Ended longer ago than the grace period: as if it never existed. */
  | { state: 'gone' }
  /** Ended within the grace period: recognised, to answer SESSION_EXPIRED. */
  | { state: 'expired' }
  | {
      state: 'live';
      /** When the session ends if unused from now on. */
      expiresAt: number;
      /** The use is to be recorded (lastSeen = now); false: the field stays as it is. */
      slide: boolean;
    };

/**
 * What a touch at `now` makes of a stored session: the one rule both user stores follow (the
 * Redis store's login script prunes by the same `gone` test, see redis-scripts.ts). Reading never
 * revives: an idled-out session stays expired however often it is read, because only a live
 * session is ever written back. The use is recorded at most once per `slideStepMs`, so a busy
 * session costs one write a step rather than one a request (the idle timeout then runs from a
 * use up to one step earlier than the latest: never longer than configured).
 */
export function touchOutcome(times: SessionTimes, now: number, policy: SessionPolicy): TouchOutcome {
  const end = sessionEnd(times, policy);
  if (now >= end + policy.expiredGraceMs) return { state: 'gone' };
  if (now >= end) return { state: 'expired' };
  const slide = now - times.lastSeen >= policy.slideStepMs;
  const expiresAt = slide ? sessionEnd({ createdAt: times.createdAt, lastSeen: now }, policy) : end;
  return { state: 'live', expiresAt, slide };
}
