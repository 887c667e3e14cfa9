/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.css';

declare namespace NodeJS {
  interface ProcessEnv {
    /** Set by Taro at build time; absent under vitest and in Node scripts. */
    TARO_ENV?: 'weapp' | 'h5';
    /** Set by Taro at build time ('production' unless --mode says otherwise). */
    NODE_ENV?: string;
    /** Base URL of the wxauth server, from the .env files. */
    TARO_APP_API_BASE?: string;
    TARO_APP_ID?: string;
    /** The WeChat simulator, for the H5 development build's wx.login stand-in. */
    TARO_APP_SIM_BASE?: string;
  }
}
