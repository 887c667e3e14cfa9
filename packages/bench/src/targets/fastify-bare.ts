import { HealthResponseSchema, SessionResponseSchema } from '@wxauth/contracts';
import Fastify from 'fastify';
import { exitOnSignal, listenPort, sessionBody } from './common.js';

// Variant 2: bare Fastify, the same response schema as our session route, no auth, no logger.
exitOnSignal();
const app = Fastify({ logger: false });
app.get('/healthz', { schema: { response: { 200: HealthResponseSchema } } }, async () => ({ status: 'ok' }));
app.get('/auth/session', { schema: { response: { 200: SessionResponseSchema } } }, async () => sessionBody());
await app.listen({ port: listenPort(), host: '127.0.0.1' });
