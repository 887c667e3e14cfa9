import { taroTransport } from './taro-transport';
import { createApi } from './typed-api';

export const apiBase = process.env.TARO_APP_API_BASE ?? 'http://127.0.0.1:3000';

export const api = createApi(taroTransport, apiBase);
