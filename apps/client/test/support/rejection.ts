import { SessionError } from '../../src/auth/session-error';

/** The SessionError `promise` rejects with; anything else fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<SessionError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof SessionError)) throw new Error(`expected a SessionError, got ${String(error)}`);
  return error;
}
