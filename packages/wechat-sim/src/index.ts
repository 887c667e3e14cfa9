/** The app every simulator knows without configuration (the development default everywhere). */
export const TEST_APP = { appid: 'wx0000000000000001', secret: '0123456789abcdef0123456789abcdef' } as const;
