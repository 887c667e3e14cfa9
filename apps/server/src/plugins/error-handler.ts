import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

/**
 * Every failure leaves as the contract's error envelope. Fastify's own errors (validation, body
 * size, content type, bad JSON) are mapped to their 4xx; anything unexpected is a generic 500
 * whose details go to the log only.
 */
export function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const [first] = error.validation;
    const missing = first?.params?.['missingProperty'];
    const path = `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}${typeof missing === 'string' ? `/${missing}` : ''}`;
    return new AppError(400, 'INVALID_REQUEST', `Invalid request: ${path} ${first?.message ?? 'is invalid'}`, {
      field: path,
      action: { kind: 'fix-request' },
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.', {
        action: { kind: 'fix-request' },
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.', {
        action: { kind: 'fix-request' },
      });
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    // Bad JSON, empty JSON body, bad content length...: Fastify's message is safe and says what is wrong.
    return new AppError(error.statusCode, 'INVALID_REQUEST', error.message, { action: { kind: 'fix-request' } });
  }
  return new AppError(500, 'INTERNAL', 'Unexpected error', { cause: error, expose: false });
}

async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    if (appError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code }, appError.message);
    if (appError.retryAfter !== undefined) void reply.header('retry-after', String(appError.retryAfter));
    return reply.code(appError.statusCode).send(appError.toBody());
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(new AppError(404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`).toBody()),
  );
}

export default fp(errorHandler, { name: 'error-handler' });
