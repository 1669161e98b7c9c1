import type { Collection, Db } from 'mongodb';
import type { PaymentNotice, PaymentRequest, PaymentStatus } from '../../shared/ports/payments.js';
import { claimed } from './races.js';
import type { Channel } from '../../shared/contracts/channel.js';

/**
 * The reference payment provider's orders, one per orderId of ours. How an order ended is a
 * document of its own, inserted under the orderId: the unique key lets exactly one submit of the
 * page finish the order (a conditional update would not, on FerretDB: see races.ts).
 */

export const PAYMENT_ORDERS_COLLECTION = 'payment_orders';
export const PAYMENT_OUTCOMES_COLLECTION = 'payment_outcomes';

interface RequestDoc {
  _id: string;
  account: string;
  /** Asked for, kopecks; the customer may pay another amount. */
  amount: number;
  description: string;
  chatId: string;
  channel: Channel;
  createdAt: Date;
}

interface OutcomeDoc {
  /** The orderId. */
  _id: string;
  status: PaymentStatus;
  /** Actually paid, kopecks (0 unless the payment succeeded). */
  paid: number;
  at: Date;
}

export type OrderDoc = RequestDoc & ({ status: 'pending'; paid?: undefined } | { status: PaymentStatus; paid: number });
export type FinishedOrder = OrderDoc & { status: PaymentStatus; paid: number };

export interface PaymentOrders {
  /** The order with this id, created from the request if it is new (a known id keeps its order). */
  create(request: PaymentRequest): Promise<OrderDoc>;
  find(orderId: string): Promise<OrderDoc | null>;
  /** Finishes a pending order; null when it had been finished already (by an earlier submit). */
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
  const requests: Collection<RequestDoc> = db.collection(PAYMENT_ORDERS_COLLECTION);
  const outcomes: Collection<OutcomeDoc> = db.collection(PAYMENT_OUTCOMES_COLLECTION);

  const withOutcome = (request: RequestDoc, outcome: OutcomeDoc | null): OrderDoc =>
    outcome ? { ...request, status: outcome.status, paid: outcome.paid } : { ...request, status: 'pending' };

  const find = async (orderId: string): Promise<OrderDoc | null> => {
    const [request, outcome] = await Promise.all([
      requests.findOne({ _id: orderId }),
      outcomes.findOne({ _id: orderId }),
    ]);
    return request ? withOutcome(request, outcome) : null;
  };

  return {
    async create({ orderId, account, amount, description, chatId, channel }) {
      await claimed(() =>
        requests.insertOne({ _id: orderId, account, amount, description, chatId, channel, createdAt: new Date() }),
      );
      const order = await find(orderId);
      if (!order) throw new Error('a payment order was stored but cannot be read');
      return order;
    },
    find,
    async finish(orderId, status, paid) {
      const request = await requests.findOne({ _id: orderId });
      if (!request) return null;
      const outcome: OutcomeDoc = { _id: orderId, status, paid, at: new Date() };
      if (!(await claimed(() => outcomes.insertOne(outcome)))) return null;
      return { ...request, status, paid };
    },
  };
}
