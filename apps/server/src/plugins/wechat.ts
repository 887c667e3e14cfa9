import type { WeChatClient, WeChatClientOptions } from '@wxauth/wechat';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createClaims } from '../claims.js';
import { type CodeExchange, createCodeExchange } from '../code-exchange.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { createPhoneNumbers, type PhoneNumbers } from '../phone-numbers.js';
import { createAccessTokenCache } from '../stores/access-token-cache.js';
import { createUserData, type UserData, type UserDataCrypto } from '../user-data.js';

declare module 'fastify' {
  interface FastifyInstance {
    wechat: WeChatApps;
    codeExchange: CodeExchange;
    phoneNumbers: PhoneNumbers;
    userData: UserData;
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

/** One WeChat client per configured mini-program, their token cache on the store, and the services using them. */
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

  // A claim stays pending no longer than the WeChat calls behind it can take (a phone number may
  // first need an access token, with its own retries), so a crashed holder frees it soon.
  const pendingMs = config.wechat.timeoutMs * 3 + 10_000;
  const claims = createClaims(app.keyValueStore);
  app.decorate('wechat', createWeChatApps(clients));
  const replayWindowMs = config.codeReplayWindowMs;
  app.decorate('codeExchange', createCodeExchange({ claims, sessions: app.sessions, pendingMs, replayWindowMs }));
  app.decorate(
    'phoneNumbers',
    createPhoneNumbers({ claims, store: app.keyValueStore, sealer: app.sealer, pendingMs, replayWindowMs }),
  );
  app.decorate(
    'userData',
    createUserData({ sessions: app.sessions, crypto: toolkit, maxAgeSeconds: config.decryptMaxAgeSeconds }),
  );
}

export default fp(wechatPlugin, { name: 'wechat', dependencies: ['store'] });
