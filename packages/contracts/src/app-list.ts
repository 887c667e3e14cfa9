/** One mini-program's credentials. */
export interface AppCredentials {
  appid: string;
  secret: string;
}

/**
 * Reads an `appid:secret,appid:secret` list (the server's WECHAT_APPS, the simulator's
 * WECHAT_SIM_APPS). Blank entries and spaces around them are ignored; the secret is what follows
 * the first colon. A malformed entry throws a message naming `variable` and the entry's position,
 * never its text: the text holds a secret.
 */
export function parseAppList(spec: string | undefined, variable: string): AppCredentials[] {
  const entries = (spec ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const appid = entry.slice(0, colon).trim();
    const secret = entry.slice(colon + 1).trim();
    if (colon < 0 || appid === '' || secret === '') {
      throw new Error(`${variable} entry ${index + 1} is not "appid:secret"`);
    }
    return { appid, secret };
  });
}
