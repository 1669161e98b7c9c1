import type { Logger } from '../../shared/ops/logger.js';
import { signPaymentNotice } from '../../shared/contracts/payment-notice.js';
import { PAYMENT_SIGNATURE_HEADER, type PaymentNotice } from '../../shared/ports/payments.js';

/**
 * Tells the bot's ingress how a payment ended: POSTs the notice, signed, to the callback URL. The
 * first attempt is awaited (the page waits for it, briefly); if it gets no 2xx, the notice is sent
 * again in the background after each of the retry delays. The notice keeps its noticeId, so the
 * receiver can drop a repeat.
 */

export interface NoticeDeliveryOptions {
  callbackUrl: string;
  secret: string;
  logger: Logger;
  /** Waits before each retry; five retries by default. */
  retryDelaysMs?: readonly number[];
  /** For one attempt. */
  attemptTimeoutMs?: number;
}

export interface NoticeDelivery {
  /** True when the first attempt was answered 2xx; otherwise retries go on in the background. */
  deliver(notice: PaymentNotice): Promise<boolean>;
  /** Stops pending retries. */
  close(): void;
}

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000] as const;

export function createNoticeDelivery(options: NoticeDeliveryOptions): NoticeDelivery {
  const { callbackUrl, secret, logger, retryDelaysMs = DEFAULT_RETRY_DELAYS_MS, attemptTimeoutMs = 3_000 } = options;
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  async function attempt(notice: PaymentNotice, body: string, number: number): Promise<boolean> {
    const log = { orderId: notice.orderId, status: notice.status, attempt: number };
    try {
      const response = await fetch(callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [PAYMENT_SIGNATURE_HEADER]: signPaymentNotice(body, secret) },
        body,
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        logger.info(log, 'payment notice delivered');
        return true;
      }
      logger.warn({ ...log, answer: response.status }, 'payment notice refused');
    } catch (error) {
      logger.warn({ ...log, error: error instanceof Error ? error.name : 'unknown' }, 'payment notice not delivered');
    }
    return false;
  }

  function retry(notice: PaymentNotice, body: string, index: number): void {
    const delay = retryDelaysMs[index];
    if (closed) return;
    if (delay === undefined) {
      logger.error({ orderId: notice.orderId, attempts: index + 1 }, 'payment notice given up');
      return;
    }
    const timer = setTimeout(async () => {
      timers.delete(timer);
      if (closed || (await attempt(notice, body, index + 2))) return;
      retry(notice, body, index + 1);
    }, delay);
    timer.unref();
    timers.add(timer);
  }

  return {
    async deliver(notice) {
      const body = JSON.stringify(notice);
      const delivered = await attempt(notice, body, 1);
      if (!delivered) retry(notice, body, 0);
      return delivered;
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
