/** The wxauth server's origin, from TARO_APP_API_BASE in the .env files (inlined at build time). */
export const apiBase = process.env.TARO_APP_API_BASE ?? 'http://127.0.0.1:3000';

/** This mini-program's appid, from TARO_APP_ID (inlined at build time): sent with every login. */
export const appid: string | undefined = process.env.TARO_APP_ID;
