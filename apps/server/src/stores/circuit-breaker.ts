import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from '../errors.js';

export interface CircuitBreaker {
  /** True while the backend is taken for down: calls fail at once, without reaching it. */
  readonly open: boolean;
  /**
   * Runs a backend call unless the circuit is open (then rejects with StoreUnavailableError at
   * once). A failure for which `trips` says yes opens the circuit; the error is rethrown as is.
   */
  run<T>(operation: () => Promise<T>): Promise<T>;
  /** Stops probing (the backend is being closed). */
  stop(): void;
}

export interface CircuitBreakerOptions {
  /** One health check of the backend (a PING); resolves when it answers. */
  probe(): Promise<unknown>;
  /** Whether a failure means the backend cannot serve (rather than that this one call was wrong). */
  trips(error: unknown): boolean;
  /**
   * The longest one call may take before it fails (and opens the circuit). A client's own command
   * timeout is not enough: commands can queue in the client behind a hung batch (ioredis's
   * auto-pipelining sends a batch only once the previous one is answered) and start their own
   * timeout only once sent.
   */
  timeoutMs: number;
  /** Pause between failed probes. */
  probeIntervalMs?: number;
  onOpen?(error: unknown): void;
  onClose?(): void;
}

/** The call outlived the breaker's timeout. */
export class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';
}

/**
 * A hung backend (a paused Redis, not a closed one) answers nothing until each command times out,
 * and new commands queue behind the timed-out ones. Each call here gives up after `timeoutMs`,
 * and after the first failure the breaker answers every call at once, while one probe at a time
 * asks the backend whether it is back; the first probe answered closes it. A request therefore
 * waits one timeout at worst, and service resumes within a probe interval of the backend
 * answering again.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const interval = options.probeIntervalMs ?? 100;
  let open = false;
  let stopped = false;

  async function probeUntilClosed() {
    while (open && !stopped) {
      try {
        await options.probe();
        open = false;
        options.onClose?.();
      } catch {
        await sleep(interval);
      }
    }
  }

  return {
    get open() {
      return open;
    },
    async run(operation) {
      if (open) throw new StoreUnavailableError(new Error('the store circuit is open'));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new StoreTimeoutError(`no answer within ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
      });
      try {
        return await Promise.race([operation(), timeout]);
      } catch (error) {
        if (!open && !stopped && options.trips(error)) {
          open = true;
          options.onOpen?.(error);
          void probeUntilClosed();
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    stop() {
      stopped = true;
      open = false;
    },
  };
}

/** For a backend that cannot hang (memory): never opens. */
export const NEVER_OPEN: CircuitBreaker = {
  open: false,
  run: (operation) => operation(),
  stop: () => {},
};
