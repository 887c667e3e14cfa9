import type { WeChatClient, WeChatClientOptions } from '@wxauth/wechat';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { UserDataCrypto } from '../auth/user-data.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { createAccessTokenCache } from '../stores/access-token-cache.js';

declare module 'fastify' {
  interface FastifyInstance {
    wechat: WeChatApps;
  }
}

/** What the server needs of @wxauth/wechat; tests may pass a fake. */
export interface WeChatToolkit extends UserDataCrypto {
  createClient(options: WeChatClientOptions): WeChatClient;
}

export interface WeChatApps {
  readonly defaultAppid: string;
  /** The client of a configured app (the default one without appid); 400 UNKNOWN_APP otherwise. */
  client(appid?: string): WeChatClient;
}

export function createWeChatApps(clients: readonly [WeChatClient, ...WeChatClient[]]): WeChatApps {
  const [first] = clients;
  const byAppid = new Map(clients.map((client) => [client.appid, client]));
  return {
    defaultAppid: first.appid,
    client(appid) {
      if (appid === undefined) return first;
      const client = byAppid.get(appid);
      if (!client) {
        throw new AppError(400, 'UNKNOWN_APP', 'This server does not serve that appid.', {
          field: 'body/appid',
          action: { kind: 'fix-request' },
        });
      }
      return client;
    },
  };
}

/** One WeChat client per configured mini-program, their access tokens cached on the store. */
async function wechatPlugin(app: FastifyInstance, options: { config: Config; toolkit: WeChatToolkit }) {
  const { config, toolkit } = options;
  const tokenCache = createAccessTokenCache(app.keyValueStore, app.sealer);
  const [firstApp, ...otherApps] = config.wechat.apps;
  const makeClient = ({ appid, secret }: { appid: string; secret: string }) =>
    toolkit.createClient({
      appid,
      secret,
      baseUrl: config.wechat.apiBase,
      // Retries are the client's: one quick retry for calls that spend a code, a few for the rest.
      timeoutMs: config.wechat.timeoutMs,
      tokenCache,
      production: config.production,
      productionAppids: config.wechat.productionAppids,
    });
  const clients: [WeChatClient, ...WeChatClient[]] = [makeClient(firstApp), ...otherApps.map(makeClient)];
  app.addHook('onClose', async () => {
    await Promise.all(clients.map((client) => client.close()));
  });
  app.decorate('wechat', createWeChatApps(clients));
}

export default fp(wechatPlugin, { name: 'wechat', dependencies: ['store', 'sealer'] });
