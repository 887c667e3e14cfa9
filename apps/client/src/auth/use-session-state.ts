import { useEffect, useState } from 'react';
import type { SessionManager, SessionState } from './session-manager';

/** The manager's state as React state: re-renders the page on every change. */
export function useSessionState(manager: SessionManager): SessionState {
  const [state, setState] = useState(manager.state);
  useEffect(() => {
    // The state may have changed between the first render and this subscription.
    setState(manager.state);
    return manager.subscribe(setState);
  }, [manager]);
  return state;
}

/**
 * For a page that needs a session to show anything: whenever there is none (first open, or the
 * stored one was dropped because wx.checkSession failed on app show), log in. This is the lazy
 * login: it joins a login already in flight, and a failed login stays failed until the user retries.
 */
export function useSignedIn(manager: SessionManager, state: SessionState, enabled = true): void {
  useEffect(() => {
    if (enabled && state.status === 'signedOut') manager.signIn().catch(() => undefined);
  }, [manager, state.status, enabled]);
}
