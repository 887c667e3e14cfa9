import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import { failure } from './errcodes.js';
import { type Fault, type SimCalls, WECHAT_ENDPOINTS, type WeChatEndpoint } from './schemas.js';

interface Queued {
  fault: Fault;
  remaining: number;
}

/** Calls received per endpoint, and the faults waiting for the endpoint's next calls. */
export class FaultBoard {
  readonly #queues = new Map<WeChatEndpoint, Queued[]>();
  readonly #calls = new Map<WeChatEndpoint, number>();

  /** Counts one call of the endpoint and hands out the fault it should suffer, if any. */
  record(endpoint: WeChatEndpoint): Fault | undefined {
    this.#calls.set(endpoint, (this.#calls.get(endpoint) ?? 0) + 1);
    const queue = this.#queues.get(endpoint);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    if (--head.remaining === 0) queue.shift();
    return head.fault;
  }

  /** Queues `fault` for the endpoint's next `times` calls; answers how many faulted calls are pending. */
  push(endpoint: WeChatEndpoint, fault: Fault, times: number): number {
    const queue = this.#queues.get(endpoint) ?? [];
    queue.push({ fault, remaining: times });
    this.#queues.set(endpoint, queue);
    return queue.reduce((sum, queued) => sum + queued.remaining, 0);
  }

  calls(): SimCalls {
    const count = (endpoint: WeChatEndpoint) => this.#calls.get(endpoint) ?? 0;
    return {
      '/sns/jscode2session': count('/sns/jscode2session'),
      '/cgi-bin/token': count('/cgi-bin/token'),
      '/cgi-bin/stable_token': count('/cgi-bin/stable_token'),
      '/wxa/checksession': count('/wxa/checksession'),
      '/wxa/resetusersessionkey': count('/wxa/resetusersessionkey'),
      '/wxa/business/getuserphonenumber': count('/wxa/business/getuserphonenumber'),
    };
  }

  reset(): void {
    this.#queues.clear();
    this.#calls.clear();
  }
}

export function isWeChatEndpoint(path: string): path is WeChatEndpoint {
  return WECHAT_ENDPOINTS.some((endpoint) => endpoint === path);
}

export interface RenderedFault {
  status: number;
  contentType: string;
  body: string;
}

const gatewayPage = (status: number) =>
  `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/** The answer a fault replaces the real one with (a hang has none: it only delays the real answer). */
export function renderFault(fault: Exclude<Fault, { kind: 'hang' }>): RenderedFault {
  switch (fault.kind) {
    case 'system-busy':
      return { status: 200, contentType: 'text/plain', body: JSON.stringify(failure(WeChatErrcode.systemBusy)) };
    case 'http-error': {
      const status = fault.status ?? 502;
      return { status, contentType: 'text/html', body: gatewayPage(status) };
    }
    case 'html':
      return {
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: '<!DOCTYPE html><html><head><title>WeChat</title></head><body>Service temporarily unavailable</body></html>',
      };
    case 'malformed-json':
      return { status: 200, contentType: 'text/plain', body: '{"session_key":"' };
    case 'errcode':
      return { status: 200, contentType: 'text/plain', body: JSON.stringify(failure(fault.errcode, fault.errmsg)) };
  }
}
