import Taro from '@tarojs/taro';
import type { Transport } from './typed-api';

/** Taro.request as a Transport: resolves for every HTTP status, rejects only on network failure. */
export const taroTransport: Transport = async ({ method, url, headers, body }) => {
  const response = await Taro.request({
    url,
    method,
    header: headers,
    data: body,
    dataType: 'json',
  });
  return { status: response.statusCode, body: response.data };
};
