#!/usr/bin/env node
import { parseAppList } from '@wxauth/contracts';
import closeWithGrace from 'close-with-grace';
import { envSchema } from 'env-schema';
import { type Static, Type } from 'typebox';
import { buildSimulator } from './app.js';

// The only file that reads the environment, once, the way the login server does (env-schema).
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3100 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** Apps besides the built-in test app: "appid:secret,appid:secret". */
  WECHAT_SIM_APPS: Type.Optional(Type.String()),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
});
type Env = Static<typeof EnvSchema>;

const fail = (error: unknown): never => {
  console.error(`wechat-sim did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
};

try {
  // `FOO=` in a shell means "not set", as for the server.
  const data = Object.fromEntries(
    Object.entries(process.env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = envSchema<Env>({ schema: EnvSchema, data, env: false, dotenv: false });
  const sim = buildSimulator({
    apps: parseAppList(env.WECHAT_SIM_APPS, 'WECHAT_SIM_APPS'),
    logger: {
      level: env.LOG_LEVEL,
      // Request lines without their query strings: those carry secrets, codes and tokens.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/\?.*$/, '') }),
      },
    },
  });
  closeWithGrace({ delay: 5_000 }, async ({ err }) => {
    if (err) sim.log.error({ err }, 'shutting down after an unexpected error');
    await sim.close();
  });
  await sim.listen({ port: env.PORT, host: env.HOST });
} catch (error) {
  fail(error);
}
