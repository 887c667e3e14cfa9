export * from './app-list.js';
export * from './auth.js';
export * from './endpoints.js';
export * from './errcodes.js';
export * from './errors.js';
export * from './routes.js';
export type * from './types.js';
export * from './wechat.js';
