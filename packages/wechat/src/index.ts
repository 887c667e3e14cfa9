export * from './errors.js';
export type * from './types.js';

/** WeChat's API origin; the simulator's URL replaces it in development and tests. */
export const WECHAT_API_BASE = 'https://api.weixin.qq.com';
