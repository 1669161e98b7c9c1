import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Store } from '../../shared/store/mongo.js';
import { PaymentOrders } from '../../services/worker/index.js';
import { freshStore } from '../harness/infra.js';

describe('payment notices are believed only for our orders, once (real store)', () => {
  let store: Store;
  let orders: PaymentOrders;
  beforeAll(async () => {
    store = await freshStore();
    orders = new PaymentOrders(store.db);
    await orders.record({ orderId: 'o-1', chatId: 'chat-1', account: 'инзб12345678', amountDue: 264285 });
    await orders.record({ orderId: 'o-1', chatId: 'chat-1', account: 'инзб12345678', amountDue: 264285 });
  });
  afterAll(async () => {
    await store.db.dropDatabase();
    await store.close();
  });

  const notice = (overrides: Record<string, unknown> = {}) =>
    ({
      id: 'n',
      channel: 'viber',
      chatId: 'chat-1',
      at: 0,
      kind: 'payment',
      orderId: 'o-1',
      status: 'succeeded',
      account: 'инзб12345678',
      amount: 150000,
      ...overrides,
    }) as const;

  test('a notice for another chat, another account, an unknown order or a silly amount is refused', async () => {
    expect(await orders.settle(notice({ chatId: 'chat-2' }) as never, 1)).toEqual({ ok: false, reason: 'wrong-chat' });
    expect(await orders.settle(notice({ account: 'инзб00000000' }) as never, 1)).toEqual({
      ok: false,
      reason: 'wrong-account',
    });
    expect(await orders.settle(notice({ orderId: 'o-404' }) as never, 1)).toEqual({
      ok: false,
      reason: 'unknown-order',
    });
    expect(await orders.settle(notice({ amount: 0 }) as never, 1)).toEqual({ ok: false, reason: 'bad-amount' });
    expect(await orders.settle(notice({ amount: -1 }) as never, 1)).toEqual({ ok: false, reason: 'bad-amount' });
  });

  test('the customer may pay another amount than due; the same outcome twice is a replay', async () => {
    expect(await orders.settle(notice() as never, 7)).toEqual({ ok: true });
    expect(await orders.settle(notice() as never, 7)).toEqual({ ok: true }); // the same message redelivered
    expect(await orders.settle(notice() as never, 9)).toEqual({ ok: false, reason: 'replay' });
    const both = await Promise.all([
      orders.settle(notice({ status: 'failed', amount: 0 }) as never, 11),
      orders.settle(notice({ status: 'failed', amount: 0 }) as never, 12),
    ]);
    expect(both.filter((v) => v.ok)).toHaveLength(1);
  });
});
