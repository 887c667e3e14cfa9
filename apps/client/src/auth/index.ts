import { appid } from '../api/build-config';
import { createDefaultPlatform, defaultApiBase } from './default-platform';
import { SessionManager } from './session-manager';

export { describeError } from './messages';
export { SessionError, type SessionErrorKind } from './session-error';
export type { LogoutResult, SessionState } from './session-manager';

/** The app's one session manager: every page shares its login state and its single-flight login. */
export const session = new SessionManager({ platform: createDefaultPlatform(), baseUrl: defaultApiBase, appid });
