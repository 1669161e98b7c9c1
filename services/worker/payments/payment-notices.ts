import type { ChatEvent } from '../../../shared/contracts/chat-event.js';
import type { Logger } from '../../../shared/ops/logger.js';
import type { PaymentOrders } from './payment-orders.js';

/** Whether an event goes on to its chat; `logger` is the turn's. */
export type EventAdmission = (event: ChatEvent, seq: number, logger: Logger) => Promise<boolean>;

/**
 * A payment notice reaches its chat only once settled: checked against the order it names and
 * claimed for the stream message `seq` that carries it (PaymentOrders.settle). A refused notice is
 * logged and goes no further. Every other event passes.
 */
export function settlingPaymentNotices(orders: PaymentOrders): EventAdmission {
  return async (event, seq, logger) => {
    if (event.kind !== 'payment') return true;
    const verdict = await orders.settle(event, seq);
    if (!verdict.ok) logger.warn({ reason: verdict.reason }, 'payment notice refused');
    return verdict.ok;
  };
}
