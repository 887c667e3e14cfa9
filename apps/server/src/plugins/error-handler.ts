import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, StoreUnavailableError } from '../errors.js';
import { fromUpstream, isOperatorError } from '../upstream-errors.js';

const fixRequest = { action: { kind: 'fix-request' } } as const;

/**
 * Every failure leaves as the contract's error envelope. Fastify's own errors (validation, body
 * size, content type, bad JSON) are mapped to their 4xx; WeChat and decryption failures through
 * the one table in upstream-errors.ts; anything unexpected is a generic 500 whose details go to
 * the log only.
 */
export function toAppError(error: FastifyError): AppError {
  const mapped = fromUpstream(error);
  if (mapped instanceof AppError) return mapped;
  if (error.validation) {
    const [first] = error.validation;
    const missing = first?.params?.['missingProperty'];
    const path = `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}${typeof missing === 'string' ? `/${missing}` : ''}`;
    return new AppError(400, 'INVALID_REQUEST', `Invalid request: ${path} ${first?.message ?? 'is invalid'}`, {
      field: path,
      ...fixRequest,
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.', fixRequest);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.', fixRequest);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    // Fastify's own 4xx (bad JSON, bad content length...) have fixed messages that say what is wrong;
    // anything else gets a generic one, in case it quotes the input.
    const message = error.code?.startsWith('FST_') ? error.message : 'The request is malformed.';
    return new AppError(error.statusCode, 'INVALID_REQUEST', message, fixRequest);
  }
  return new AppError(500, 'INTERNAL', 'Unexpected error', { cause: error, expose: false });
}

async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    if (appError instanceof StoreUnavailableError) {
      // The outage itself is logged once, at error, by the store plugin; a stack per request it
      // turns away would bury that line under hundreds during a failover.
      request.log.warn({ errorCode: appError.code, reason: reasonOf(appError.cause) }, appError.message);
    } else if (appError.statusCode >= 500 || isOperatorError(error) || isOperatorError(appError.cause)) {
      request.log.error({ err: error, errorCode: appError.code }, 'request failed');
    } else {
      request.log.info({ errorCode: appError.code }, appError.message);
    }
    if (appError.retryAfter !== undefined) void reply.header('retry-after', String(appError.retryAfter));
    if (appError.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
    return reply.code(appError.statusCode).send(appError.toBody());
  });

  // The path is not echoed: whatever a client put in it stays out of the answer.
  const notFound = new AppError(404, 'NOT_FOUND', 'No such route.').toBody();
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(notFound));
}

function reasonOf(cause: unknown): string | undefined {
  return cause instanceof Error ? cause.message : undefined;
}

export default fp(errorHandler, { name: 'error-handler' });

/**
 * Requests Node cannot even parse (a bare CR in a header, an oversized header block...) never reach
 * Fastify's handlers: answer them with the same envelope, and never log the raw bytes (they hold
 * the Authorization header).
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(
    new AppError(status, 'INVALID_REQUEST', 'The request is not valid HTTP.', fixRequest).toBody(),
  );
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
