import type { Transport } from '../../src/api/typed-api';
import { type KeyValueStorage, memoryStorage, type Platform } from '../../src/auth/platform';

/**
 * A WeChat stand-in for the session manager: counts wx.login calls, answers checkSession as the
 * test says, and keeps storage in a Map that a "restarted" manager can be handed again.
 */
export class FakePlatform implements Platform {
  wxLogins = 0;
  sessionValid = true;
  /** When set, the next wx.login calls reject with it. */
  loginFailure: Error | undefined;

  constructor(
    private readonly issueCode: () => string | Promise<string>,
    readonly request: Transport,
    readonly storage: KeyValueStorage & { entries: Map<string, string> } = memoryStorage(),
  ) {}

  async login(): Promise<{ code: string }> {
    this.wxLogins += 1;
    if (this.loginFailure) throw this.loginFailure;
    return { code: await this.issueCode() };
  }

  async checkSession(): Promise<boolean> {
    return this.sessionValid;
  }
}
