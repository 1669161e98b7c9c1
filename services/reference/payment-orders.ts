import type { Collection, Db } from 'mongodb';
import type { PaymentNotice, PaymentRequest, PaymentStatus } from '../../shared/ports/payments.js';

/** The reference payment provider's orders, one document per orderId of ours. */

export const PAYMENT_ORDERS_COLLECTION = 'payment_orders';

export interface OrderDoc {
  _id: string;
  account: string;
  /** Asked for, kopecks; the customer may pay another amount. */
  amount: number;
  description: string;
  chatId: string;
  channel: 'viber';
  status: 'pending' | PaymentStatus;
  /** Actually paid, kopecks: set when the order is finished (0 unless it succeeded). */
  paid?: number;
  createdAt: Date;
  finishedAt?: Date;
}

export type FinishedOrder = OrderDoc & { status: PaymentStatus; paid: number };

export interface PaymentOrders {
  /** The order with this id, created from the request if it is new (a known id keeps its order). */
  create(request: PaymentRequest): Promise<OrderDoc>;
  find(orderId: string): Promise<OrderDoc | null>;
  /** Finishes a pending order; null when it was no longer pending (finished by an earlier submit). */
  finish(orderId: string, status: PaymentStatus, paid: number): Promise<FinishedOrder | null>;
}

export const isFinished = (order: OrderDoc): order is FinishedOrder => order.status !== 'pending';

/** The provider's own id of a notice: the same final status of an order is the same notice. */
export const toNotice = (order: FinishedOrder): PaymentNotice => ({
  orderId: order._id,
  status: order.status,
  account: order.account,
  amount: order.paid,
  chatId: order.chatId,
  channel: order.channel,
  noticeId: `${order._id}:${order.status}`,
});

export function createPaymentOrders(db: Db): PaymentOrders {
  const orders: Collection<OrderDoc> = db.collection(PAYMENT_ORDERS_COLLECTION);
  return {
    async create({ orderId, account, amount, description, chatId, channel }) {
      const order = await orders.findOneAndUpdate(
        { _id: orderId },
        { $setOnInsert: { account, amount, description, chatId, channel, status: 'pending', createdAt: new Date() } },
        { upsert: true, returnDocument: 'after' },
      );
      if (!order) throw new Error('the payment order was not returned');
      return order;
    },
    find: (orderId) => orders.findOne({ _id: orderId }),
    async finish(orderId, status, paid) {
      // Conditional on "pending": of two submits of one page, exactly one finishes the order.
      const order = await orders.findOneAndUpdate({ _id: orderId, status: 'pending' }, { $set: { status, paid, finishedAt: new Date() } }, { returnDocument: 'after' });
      return order && isFinished(order) ? order : null;
    },
  };
}
