// What the build inlined from the .env files: where the server is and which mini-program this is.

/**
 * The wxauth server's origin, from TARO_APP_API_BASE in the .env files (inlined at build time).
 * The local stack's address is only a fallback outside production builds: the upload refuses a
 * bundle that holds a loopback address, and ES5's form of `??` would keep the literal otherwise.
 */
export const apiBase =
  process.env.TARO_APP_API_BASE ?? (process.env.NODE_ENV === 'production' ? '' : 'http://127.0.0.1:3000');

/** This mini-program's appid, from TARO_APP_ID (inlined at build time): sent with every login. */
export const appid: string | undefined = process.env.TARO_APP_ID;
