import type { Transport } from '../../src/api/typed-api';

/**
 * Node's fetch as a Transport, behaving like Taro.request with `dataType: 'json'`: the body is
 * parsed as JSON when it is JSON and kept as text otherwise; network failures reject.
 */
export const fetchTransport: Transport = async ({ method, url, headers, body }) => {
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    if (text !== '') parsed = JSON.parse(text);
  } catch {
    // Not JSON (an HTML error page): handed on as text, as wx.request does.
  }
  const replyHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    replyHeaders[name] = value;
  });
  return { status: response.status, body: parsed, headers: replyHeaders };
};
