import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from '../src/logging.js';

/** A parent logger that records the children it makes and the lines they write. */
function recordingLogger(level: string) {
  const made: unknown[] = [];
  const lines: unknown[][] = [];
  const logger = (bindings: unknown): FastifyBaseLogger => {
    const write =
      (name: string) =>
      (...args: unknown[]) => {
        lines.push([name, bindings, ...args]);
      };
    return {
      level,
      fatal: write('fatal'),
      error: write('error'),
      warn: write('warn'),
      info: write('info'),
      debug: write('debug'),
      trace: write('trace'),
      silent: () => {},
      child: (more) => {
        made.push(more);
        return logger(more);
      },
    };
  };
  return { parent: logger({}), made, lines };
}

describe('the per-request logger', () => {
  it('builds no child logger for lines below the level', () => {
    const { parent, made, lines } = recordingLogger('warn');
    const log = lazyChildLogger(parent, { reqId: 'r-1' }, {});
    log.info({ errorCode: 'UNAUTHENTICATED' }, 'refused');
    log.debug('detail');
    log.silent('nothing');
    expect(made).toEqual([]);
    expect(lines).toEqual([]);
    expect(log.level).toBe('warn');
  });

  it("writes through one real child with the request's bindings once a line is due", () => {
    const { parent, made, lines } = recordingLogger('info');
    const log = lazyChildLogger(parent, { reqId: 'r-2' }, {});
    log.info({ errorCode: 'X' }, 'first');
    log.error('second');
    expect(made).toEqual([{ reqId: 'r-2' }]);
    expect(lines).toEqual([
      ['info', { reqId: 'r-2' }, { errorCode: 'X' }, 'first'],
      ['error', { reqId: 'r-2' }, 'second'],
    ]);
  });

  it("follows a route's own level", () => {
    const { parent, lines } = recordingLogger('warn');
    const log = lazyChildLogger(parent, { reqId: 'r-3' }, { level: 'debug' });
    log.debug('shown');
    expect(lines).toHaveLength(1);
  });
});
