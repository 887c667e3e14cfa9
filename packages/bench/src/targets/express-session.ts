import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Redis } from 'ioredis';
import { exitOnSignal, IDLE_TTL_SECONDS, listenPort } from './common.js';

declare module 'express-session' {
  interface SessionData {
    user: { openid: string; appid: string };
  }
}

/**
 * Variant 5: the stack teams reach for instead. Express 5, express-session and connect-redis on
 * ioredis, configured the way their READMEs recommend (resave and saveUninitialized off). A
 * session check reads the session (GET) and, because the cookie has a maxAge, slides its expiry
 * (EXPIRE): two Redis round trips per request.
 */
exitOnSignal();
const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) throw new Error('REDIS_URL must be set');
const redis = new Redis(redisUrl);

const app = express();
app.get('/healthz', (_request, response) => {
  response.json({ status: 'ok' });
});
app.use(
  session({
    store: new RedisStore({ client: redis }),
    secret: 'bench-only-secret-not-for-production',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: IDLE_TTL_SECONDS * 1000, httpOnly: true, sameSite: 'lax' },
  }),
);
// How the bench creates its sessions: one login per user, as the real server does.
app.post('/login', express.json(), (request, response) => {
  const body: unknown = request.body;
  const openid = typeof body === 'object' && body !== null && 'openid' in body ? String(body.openid) : '';
  if (!openid) {
    response.status(400).json({ error: { code: 'BAD_REQUEST', message: 'openid is required' } });
    return;
  }
  request.session.user = { openid, appid: 'wx0000000000000001' };
  response.json({ ok: true });
});
app.get('/auth/session', (request, response) => {
  const user = request.session.user;
  if (!user) {
    response.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'No live session.' } });
    return;
  }
  const expiresIn = Math.floor((request.session.cookie.maxAge ?? 0) / 1000);
  response.json({ user: { openid: user.openid }, expiresIn });
});
app.listen(listenPort(), '127.0.0.1');
