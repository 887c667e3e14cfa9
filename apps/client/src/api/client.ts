/** The wxauth server's origin, from TARO_APP_API_BASE in the .env files (inlined at build time). */
export const apiBase = process.env.TARO_APP_API_BASE ?? 'http://127.0.0.1:3000';
