import type { Transport } from '../../src/api/typed-api';
import { type KeyValueStorage, memoryStorage, type Platform } from '../../src/auth/platform';

export interface FakePlatformOptions {
  /** Where wx.login's code comes from: the in-memory fake server, or the simulator's /sim/login. */
  issueCode: () => string | Promise<string>;
  request: Transport;
  /** What wx.checkSession says; by default the test-controlled `sessionValid` flag. */
  checkSession?: () => Promise<boolean>;
  storage?: KeyValueStorage & { entries: Map<string, string> };
}

/**
 * A WeChat stand-in for the session manager: counts wx.login calls, answers checkSession as the
 * test says, and keeps storage in a Map that a "restarted" manager can be handed again.
 */
export class FakePlatform implements Platform {
  wxLogins = 0;
  sessionValid = true;
  /** When set, the next wx.login calls reject with it. */
  loginFailure: Error | undefined;
  readonly request: Transport;
  readonly storage: KeyValueStorage & { entries: Map<string, string> };

  constructor(private readonly options: FakePlatformOptions) {
    this.request = options.request;
    this.storage = options.storage ?? memoryStorage();
  }

  async login(): Promise<{ code: string }> {
    this.wxLogins += 1;
    if (this.loginFailure) throw this.loginFailure;
    return { code: await this.options.issueCode() };
  }

  async checkSession(): Promise<boolean> {
    return this.options.checkSession ? this.options.checkSession() : this.sessionValid;
  }
}
