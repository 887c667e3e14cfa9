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
