/**
 * Who the H5 development build is in the WeChat simulator: `?user=<name>` in the page's address,
 * else the user picked on the page last time, else `alice`. Any name is a user to the simulator
 * (its openid is derived from the name), so two names are two people.
 */
export const DEFAULT_SIM_USER = 'alice';

// localStorage directly, not Taro's storage: this is the browser's own setting, not the app's.
const STORAGE_KEY = 'wxauth:sim-user';
const NAME = /^[\w.-]{1,64}$/;

export function isSimUserName(name: string): boolean {
  return NAME.test(name);
}

function fromAddress(): string | undefined {
  const name = new URLSearchParams(window.location.search).get('user')?.trim();
  return name !== undefined && isSimUserName(name) ? name : undefined;
}

function fromStorage(): string | undefined {
  try {
    const name = window.localStorage.getItem(STORAGE_KEY);
    return name !== null && isSimUserName(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

let current: string | undefined;

export function simUser(): string {
  if (current === undefined) {
    const named = fromAddress();
    // An address that names a user also makes it the page's choice from now on.
    if (named !== undefined) rememberSimUser(named);
    current = named ?? fromStorage() ?? DEFAULT_SIM_USER;
  }
  return current;
}

export function setSimUser(name: string): void {
  if (!isSimUserName(name)) throw new Error(`not a simulator user name: ${name}`);
  current = name;
  rememberSimUser(name);
}

function rememberSimUser(name: string): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, name);
  } catch {
    // Private mode or storage full: the choice lasts until the page reloads.
  }
}
