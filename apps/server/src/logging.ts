import { createRequire } from 'node:module';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';

/** A pino destination, e.g. a test's capture. */
export interface LogStream {
  write(line: string): void;
}

// Error fields worth logging. Everything else on an error object is left out on purpose: an
// ioredis error carries the command's arguments, which can hold a sealed session_key.
const ERROR_FIELDS = ['code', 'kind', 'errcode', 'endpoint', 'statusCode'] as const;

interface SerializedError {
  [field: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error, message: '', stack: '' };
  const out: SerializedError = { type: error.name, message: error.message, stack: error.stack ?? '' };
  for (const field of ERROR_FIELDS) {
    const value: unknown = Reflect.get(error, field);
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (error.cause !== undefined && depth < 3) out['cause'] = serializeError(error.cause, depth + 1);
  return out;
}

/**
 * Development's log, for a person reading `pnpm dev`: pino-pretty in pino's worker thread, written
 * to stdout, where the dev stack labels each line with its process. Resolved from here: pino looks
 * a bare target up from its own folder, which does not see the server's dependencies.
 */
function prettyTransport() {
  return {
    target: createRequire(import.meta.url).resolve('pino-pretty'),
    options: { destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
  };
}

/**
 * pino with request ids, and with nothing secret in a line: requests are logged without query
 * string or headers (a token put in a URL by mistake stays out of the log), bodies are never
 * logged, and the paths below are censored should anything put them in a log object anyway.
 */
export function loggerOptions(config: Config, stream?: LogStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'body',
        'req.body',
        '*.secret',
        '*.session_key',
        '*.sessionKey',
        '*.token',
        '*.access_token',
        '*.js_code',
        '*.encryptedData',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (request) => ({
        method: request.method,
        url: request.url.split('?')[0] ?? '',
        remoteAddress: request.ip,
      }),
      err: (error: unknown) => serializeError(error),
    },
    // JSON in production and wherever a caller takes the lines (a test's capture).
    ...(stream ? { stream } : config.production ? {} : { transport: prettyTransport() }),
  };
}

// pino's standard levels; anything else (a custom level) counts as enabled and is left to pino.
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const rank = (level: string) => (level === 'silent' ? Number.POSITIVE_INFINITY : (LEVELS[level] ?? 0));

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Each request's `request.log`, made real only when it writes a line. pino builds a child
 * eagerly, running the redaction paths over its bindings (the request id) on every request, work
 * on the hot path of a session check that LOG_LEVEL=warn never uses. The real child is pino's own,
 * so its lines and their redaction are unchanged. A class: one allocation per request, its
 * methods shared.
 */
class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#real().level = level;
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  #write(method: LogMethod, args: unknown[]): void {
    if (rank(method) < rank(this.level)) return;
    const target = this.#real();
    Reflect.apply(target[method], target, args);
  }
}

/** Fastify's `childLoggerFactory`: a request logger that costs nothing until it writes. */
export function lazyChildLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(parent, bindings, options);
}
