import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../../../shared/ops/logger.js';

/**
 * The logger of the turn in progress (it carries the correlation id and the chat's tag). The ports
 * are built once per process, so a call they make learns its turn from here rather than through
 * every machine, actor and adapter in between. XState starts a turn's promise actors synchronously
 * inside `send`, so they run in the turn's async context.
 */
const turns = new AsyncLocalStorage<Logger>();

export const inTurn = <T>(logger: Logger, run: () => Promise<T>): Promise<T> => turns.run(logger, run);

export const turnLogger = (fallback: Logger): Logger => turns.getStore() ?? fallback;
