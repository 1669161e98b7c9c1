import { withTimeout } from '../../shared/ops/with-timeout.js';
import { ViberTimeoutError, type ViberApi } from '../../shared/ports/viber-api.js';
import type { ViberOutboundMessage } from '../../shared/viber/types.js';

/** One send_message call that gives up after `timeoutMs`. */
export type SendMessage = (message: ViberOutboundMessage, timeoutMs: number) => Promise<void>;

/**
 * Sends with a timeout of the caller's choosing. The API underneath waits at most the longest
 * attempt (VIBER_TIMEOUT_MAX_MS); a call given up on here runs to its end unobserved.
 */
export function timedSend(api: ViberApi): SendMessage {
  return (message, timeoutMs) =>
    withTimeout(api.sendMessage(message), timeoutMs, 'send_message', () => new ViberTimeoutError(timeoutMs));
}

/**
 * The timeout of a reply's n-th attempt: VIBER_TIMEOUT_MS, doubled after each delivery up to
 * VIBER_TIMEOUT_MAX_MS. A Viber that answers slower than the timeout may still deliver, and each
 * retry would then be a duplicate; growing the wait lets an answer that is only slow come back
 * within a few attempts, so one reply costs at most log2(max / first) duplicates, not one per retry.
 */
export const attemptTimeoutMs = (deliveries: number, firstMs: number, maxMs: number): number =>
  Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(deliveries - 1, 0), 20));
