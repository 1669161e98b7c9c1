import type { Logger } from './logger.js';

export interface RunningService {
  /** Stop taking work, finish what is in hand, close connections. */
  stop(): Promise<void>;
}

/**
 * Runs a service until SIGTERM or SIGINT, then stops it gracefully. A failed start or a stop
 * that hangs ends the process with a non-zero code, so a supervisor restarts it.
 */
export function runService(logger: Logger, start: () => Promise<RunningService>, stopTimeoutMs = 15_000): void {
  let running: RunningService | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('stop took too long; exiting');
      process.exit(1);
    }, stopTimeoutMs);
    timer.unref();
    try {
      await running?.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  start()
    .then((service) => {
      running = service;
      logger.info('started');
    })
    .catch((error) => {
      logger.fatal({ err: error }, 'start failed');
      process.exit(1);
    });
}
