import type { ErrorAction, ErrorBody } from '@wxauth/contracts';

export type ServerError = ErrorBody['error'];

/** What the session manager does about an error reply. Each kind is bounded by the manager. */
export type Recovery =
  /** The session is gone or the code was bad: drop the token, log in once, replay once. */
  | { kind: 'relogin' }
  /** The session_key rotated: log in, have the caller fetch its encrypted data anew, send once. */
  | { kind: 'relogin-and-refetch' }
  /** Rate limited: wait (the server's afterSeconds, else Retry-After), then once more. */
  | { kind: 'wait'; seconds: number | undefined }
  /** The server or WeChat is briefly unavailable: a few retries with growing delays. */
  | { kind: 'backoff'; seconds: number | undefined }
  /** Retrying cannot help: the caller gets a typed error to show. */
  | { kind: 'fail' };

/**
 * What to do about an error reply: the client's table, except where the table gives up and the
 * server's `action` still sees a way out (a newer or better-informed server): then the action.
 */
export function recoveryFor(error: ServerError): Recovery {
  const fromTable = tableRecovery(error);
  return fromTable.kind === 'fail' ? recoveryForAction(error.action) : fromTable;
}

/**
 * The client's one decision table. Exhaustive over the contract's `code` union: a code added to
 * the contract is a compile error in the `default` branch until it is given a recovery here.
 */
function tableRecovery({ code, action }: ServerError): Recovery {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'SESSION_EXPIRED':
    case 'INVALID_CODE':
    case 'CODE_USED':
      return { kind: 'relogin' };
    // rawData's signature is sha1(rawData + session_key): like a failed decryption, a mismatch is
    // what a rotated key produces, and a fresh login with freshly fetched data fixes it.
    case 'SESSION_KEY_ROTATED':
    case 'DECRYPT_FAILED':
    case 'SIGNATURE_MISMATCH':
    case 'DATA_EXPIRED':
      return { kind: 'relogin-and-refetch' };
    case 'RATE_LIMITED':
      return { kind: 'wait', seconds: afterSeconds(action) };
    case 'UPSTREAM_UNAVAILABLE':
    case 'STORE_UNAVAILABLE':
      return { kind: 'backoff', seconds: afterSeconds(action) };
    case 'INVALID_REQUEST':
    case 'UNSUPPORTED_MEDIA_TYPE':
    case 'PAYLOAD_TOO_LARGE':
    case 'NOT_FOUND':
    case 'USER_BLOCKED':
    case 'UNKNOWN_APP':
    case 'UPSTREAM_MISCONFIGURED':
    case 'WATERMARK_MISMATCH':
    // A phone code is single-use and billed: never spend a second one behind the user's back.
    case 'PHONE_CODE_INVALID':
    case 'PHONE_QUOTA_EXCEEDED':
    case 'NOT_IMPLEMENTED':
    case 'INTERNAL':
      return { kind: 'fail' };
    default: {
      const _newCode: never = code;
      // Reachable at run time only when the server is newer than this build: nothing to go on
      // here, so `recoveryFor` follows the server's action.
      return { kind: 'fail' };
    }
  }
}

/** The server's suggested action, for codes this build does not know. */
export function recoveryForAction(action: ErrorAction | undefined): Recovery {
  if (action === undefined) return { kind: 'fail' };
  const { kind } = action;
  switch (kind) {
    case 'relogin':
      return { kind: 'relogin' };
    case 'relogin-and-refetch':
      return { kind: 'relogin-and-refetch' };
    case 'retry':
      return { kind: 'wait', seconds: action.afterSeconds };
    case 'fix-request':
    case 'give-up':
      return { kind: 'fail' };
    default: {
      const _newKind: never = kind;
      return { kind: 'fail' };
    }
  }
}

function afterSeconds(action: ErrorAction | undefined): number | undefined {
  return action?.kind === 'retry' ? action.afterSeconds : undefined;
}
