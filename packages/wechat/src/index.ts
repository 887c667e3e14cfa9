export { createWeChatClient } from './client.js';
export * from './errors.js';
export { createMemoryTokenCache } from './memory-token-cache.js';
export { WECHAT_API_BASE } from './settings.js';
export { verifyRawDataSignature } from './signatures.js';
export type * from './types.js';
export {
  type DecryptUserDataInput,
  decryptUserData,
  sessionKeyBytes,
  type UserData,
  UserDataSchema,
} from './user-data.js';
