import Taro from '@tarojs/taro';
import type { Transport } from './typed-api';

// WeChat's default is 60 s; a login screen that hangs that long looks frozen. The session manager
// retries a timed-out request a bounded number of times.
const REQUEST_TIMEOUT_MS = 10_000;

/** Taro.request as a Transport: resolves for every HTTP status, rejects only on network failure. */
export const taroTransport: Transport = async ({ method, url, headers, body }) => {
  const response = await Taro.request({
    url,
    method,
    header: headers,
    data: body,
    dataType: 'json',
    timeout: REQUEST_TIMEOUT_MS,
  });
  return { status: response.statusCode, body: response.data, headers: lowerCaseHeaders(response.header) };
};

// WeChat passes header names as the server sent them; HTTP/2 proxies lower-case them.
function lowerCaseHeaders(header: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (typeof header !== 'object' || header === null) return headers;
  for (const [name, value] of Object.entries(header)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}
