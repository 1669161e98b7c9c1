import { onceUntilDone } from '../../../shared/ops/once-until-done.js';
import type { Db, Collection } from 'mongodb';
import { isDuplicateKeyError } from '../../../shared/store/mongo.js';
import { supportsTtlIndexes } from '../../../shared/store/mongo.js';
import type { ChatEvent } from '../../../shared/contracts/chat-event.js';
import type { PaymentProvider } from '../../../shared/ports/payments.js';

type PaymentEvent = Extract<ChatEvent, { kind: 'payment' }>;

interface OrderDocument {
  _id: string;
  chatId: string;
  account: string;
  /** The amount due when the link was made; the customer may pay another amount on the page. */
  amountDue: number;
  createdAt: Date;
}

/** What became of a provider's notice. */
export type NoticeVerdict =
  { ok: true } | { ok: false; reason: 'unknown-order' | 'wrong-chat' | 'wrong-account' | 'bad-amount' | 'replay' };

/** The most one payment may be, in kopecks: a notice beyond it is a forgery or a provider's bug. */
const MAX_PAYMENT = 10_000_000_00;

const DAY_MS = 24 * 60 * 60_000;
/**
 * Where the store has TTL indexes (MongoDB), an order is forgotten this long after it was made: a
 * notice for it is then unknown.
 */
export const ORDER_RETENTION_MS = 90 * DAY_MS;
/**
 * A claimed notice outlives its order (made before it, kept a day longer than it), so a replay is
 * refused as a replay while the order exists, and as an unknown order after.
 */
export const NOTICE_RETENTION_MS = ORDER_RETENTION_MS + DAY_MS;

/**
 * The orders this bot made, so that a signed notice is believed only for an order of ours, for the
 * chat and account it was made for, with a sane amount, and only once per outcome. Every operation
 * is by `_id` (see shared/adapters/mongo-chat-store.ts for why). On MongoDB, TTL indexes forget
 * orders and notices after ORDER_RETENTION_MS / NOTICE_RETENTION_MS; FerretDB v1 has no TTL
 * indexes, and keeps them (looked up by `_id` only, however many there are).
 */
export class PaymentOrders {
  private readonly orders: Collection<OrderDocument>;
  private readonly settled: Collection<{ _id: string; seq: number; at: Date }>;

  constructor(private readonly db: Db) {
    this.orders = db.collection<OrderDocument>('payment_orders');
    this.settled = db.collection<{ _id: string; seq: number; at: Date }>('payment_notices');
  }

  /** The TTL indexes, where the store has them; a failure is tried again on the next order. */
  private readonly indexes = onceUntilDone(async () => {
    if (!(await supportsTtlIndexes(this.db))) return;
    await this.orders.createIndex({ createdAt: 1 }, { expireAfterSeconds: ORDER_RETENTION_MS / 1000 });
    await this.settled.createIndex({ at: 1 }, { expireAfterSeconds: NOTICE_RETENTION_MS / 1000 });
  }, undefined);

  /** Records an order before its link is shown; the same order again is the same record. */
  async record(order: { orderId: string; chatId: string; account: string; amountDue: number }): Promise<void> {
    await this.indexes();
    try {
      await this.orders.insertOne({
        _id: order.orderId,
        chatId: order.chatId,
        account: order.account,
        amountDue: order.amountDue,
        createdAt: new Date(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /**
   * Checks a notice against its order and claims it for the stream message `seq` that carries it,
   * so that the same outcome is told once: the same message redelivered passes again, a replay
   * (the same notice in another message) does not.
   */
  async settle(notice: PaymentEvent, seq: number): Promise<NoticeVerdict> {
    const order = await this.orders.findOne({ _id: notice.orderId });
    if (!order) return { ok: false, reason: 'unknown-order' };
    if (order.chatId !== notice.chatId) return { ok: false, reason: 'wrong-chat' };
    if (order.account !== notice.account) return { ok: false, reason: 'wrong-account' };
    const paid = notice.status === 'succeeded';
    if (
      !Number.isSafeInteger(notice.amount) ||
      notice.amount < 0 ||
      notice.amount > MAX_PAYMENT ||
      (paid && notice.amount === 0)
    )
      return { ok: false, reason: 'bad-amount' };
    const claim = `${notice.orderId}:${notice.status}`;
    try {
      await this.settled.insertOne({ _id: claim, seq, at: new Date() });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      if ((await this.settled.findOne({ _id: claim }))?.seq !== seq) return { ok: false, reason: 'replay' };
    }
    return { ok: true };
  }
}

/** The payment provider as the worker uses it: every order is recorded before its link exists. */
export function recordingOrders(provider: PaymentProvider, orders: PaymentOrders): PaymentProvider {
  return {
    async createPayment(request) {
      await orders.record({
        orderId: request.orderId,
        chatId: request.chatId,
        account: request.account,
        amountDue: request.amount,
      });
      return provider.createPayment(request);
    },
  };
}
