import { ViberApiError, type ViberApi } from '../../shared/ports/viber-api.js';
import type { ViberOutboundMessage } from '../../shared/viber/types.js';

/** One send_message call that gives up after `timeoutMs`. */
export type SendMessage = (message: ViberOutboundMessage, timeoutMs: number) => Promise<void>;

/** What a send that got no answer in time is thrown as: maybe delivered, maybe not; worth retrying. */
export class ViberTimeoutError extends ViberApiError {
  override name = 'ViberTimeoutError';
  constructor(timeoutMs: number) {
    super(`Viber gave no answer within ${timeoutMs} ms`, undefined, true);
  }
}

/**
 * Sends with a timeout of the caller's choosing. The API underneath waits at most the longest
 * attempt (VIBER_TIMEOUT_MAX_MS); a call given up on here runs to its end unobserved.
 */
export function timedSend(api: ViberApi): SendMessage {
  return async (message, timeoutMs) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ViberTimeoutError(timeoutMs)), timeoutMs);
    });
    try {
      await Promise.race([api.sendMessage(message), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The timeout of a reply's n-th attempt: VIBER_TIMEOUT_MS, doubled after each delivery up to
 * VIBER_TIMEOUT_MAX_MS. A Viber that answers slower than the timeout may still deliver, and each
 * retry would then be a duplicate; growing the wait lets an answer that is only slow come back
 * within a few attempts, so one reply costs at most log2(max / first) duplicates, not one per retry.
 */
export const attemptTimeoutMs = (deliveries: number, firstMs: number, maxMs: number): number =>
  Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(deliveries - 1, 0), 20));
