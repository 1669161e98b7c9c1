import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { beforeAll, describe, expect, test } from 'vitest';
import type { PaymentRequest } from '../../shared/ports/payments.js';
import type { SmsGateway } from '../../shared/ports/sms.js';
import { BillingCollections, createBillingStore, type CheckedSubmission } from '../../fakes/reference/billing-store.js';
import { seedDemoAccounts } from '../../fakes/reference/demo-accounts.js';
import { createPaymentOrders, PAYMENT_ORDERS_COLLECTION } from '../../fakes/reference/payment-orders.js';
import { createSmsOutbox, type SmsOutbox } from '../../fakes/reference/sms-outbox.js';
import { suiteStore } from '../harness/infra.js';
import { billingWithPhones, manualClock, verificationOn } from '../security/verification-kit.js';

/**
 * Side effects run after the state that asked for them is saved, and run again with the same key when
 * a worker dies before their answer is saved. Each must act once per key and answer the same: checked
 * here on the real store, dying at each step in between.
 */

class Died extends Error {
  override name = 'Died';
}

/**
 * The database as one worker sees it, except that `method` of `collection` fails once, before it acts:
 * the worker dies there.
 */
function dyingAt(db: Db, collection: string, method: string): Db {
  let died = false;
  const wrap = (name: string) => {
    const real = db.collection(name);
    if (name !== collection) return real;
    return new Proxy(real, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        if (key !== method || died) return value.bind(target);
        return () => {
          died = true;
          return Promise.reject(new Died(`died at ${collection}.${String(key)}`));
        };
      },
    });
  };
  return { collection: wrap } as unknown as Db;
}

/** The reference SMS gateway's outbox as the port, dying once before or after it stores the message. */
function outboxGateway(outbox: SmsOutbox, death?: 'before sending' | 'after sending'): SmsGateway {
  let pending = death;
  return {
    async send(message) {
      const dies = pending;
      pending = undefined;
      if (dies === 'before sending') throw new Died(dies);
      await outbox.send(message);
      if (dies === 'after sending') throw new Died(dies);
    },
  };
}

describe('effects run again with the same key act once (real store)', () => {
  const store = suiteStore();

  describe('requestCode: one SMS in the reference outbox, carrying the stored code', () => {
    let outbox: SmsOutbox;
    const clock = manualClock();
    beforeAll(async () => {
      outbox = createSmsOutbox(store.db);
      await outbox.prepare();
    });

    const deaths = [
      { step: 'before saving the challenge', db: (db: Db) => dyingAt(db, 'sms_challenges', 'updateOne') },
      { step: 'after saving the challenge, before sending', sms: 'before sending' as const },
      { step: 'after sending, before noting it sent', sms: 'after sending' as const },
      { step: 'after noting it sent (the answer was lost)' },
    ];

    test.each(deaths.map((death, index) => ({ ...death, index })))('dying $step', async ({ index, db, sms }) => {
      // An account and phone of their own, so the hourly limits and the outbox are this case's alone.
      const account = `инзб2000000${index}`;
      const phone = `7912000000${index}`;
      const billing = billingWithPhones({ [account]: phone });
      const request = { chatId: `chat-${index}`, account, phone, idempotencyKey: `event-${randomUUID()}` };

      const deps = { billing, now: clock.now };
      const dying = verificationOn(db ? db(store.db) : store.db, { ...deps, sms: outboxGateway(outbox, sms) });
      const first = dying.requestCode(request);
      if (db || sms) await expect(first).rejects.toThrow(Died);
      else expect(await first).toMatchObject({ result: 'sent' });

      // The turn runs again a little later on another worker, and once more for good measure.
      clock.advance(5_000);
      const worker = verificationOn(store.db, { ...deps, sms: outboxGateway(outbox) });
      // The same code, so the same expiry, however often the effect runs.
      const sent = {
        result: 'sent',
        maskedPhone: `+7 ••• •••-${phone.slice(-4, -2)}-${phone.slice(-2)}`,
        validUntil: expect.any(Number),
      };
      expect(await worker.requestCode(request)).toEqual(sent);
      expect(await worker.requestCode(request)).toEqual(sent);

      const messages = await outbox.read({ after: 0, phone, limit: 10 });
      expect(messages).toHaveLength(1);
      const code = /\b(\d{6})\b/.exec(messages[0]!.text)![1]!;
      const check = { chatId: request.chatId, account, code, idempotencyKey: `check-${randomUUID()}` };
      expect(await worker.checkCode(check)).toEqual({ result: 'ok' });
    });
  });

  describe('reference billing: a reading per key, the same answer', () => {
    let now = new Date(2031, 2, 20, 12, 0);
    const clock = () => now;
    type Reading = { _id: string; date: string; values: Record<string, number>; idempotencyKey?: string };
    const readings = () => store.db.collection<Reading>(BillingCollections.readings);
    const ofKey = (key: string) => readings().find({ idempotencyKey: key }).toArray();

    beforeAll(async () => {
      await seedDemoAccounts(createBillingStore(store.db, clock), clock());
    });

    const submission = (account: string, meterId: string, single: number): CheckedSubmission => ({
      account,
      meterId,
      values: { single },
      idempotencyKey: `event-${randomUUID()}`,
    });

    test('the same key again, and five times at once: one reading, one answer', async () => {
      now = new Date(2031, 2, 20, 12, 0);
      const billing = createBillingStore(store.db, clock);
      const accepted = { accepted: true, date: '2031-03-20' };
      const again = submission('инзб87654321', 'm-87654321-el', 99990);
      expect(await billing.submit(again)).toEqual(accepted);
      expect(await billing.submit(again)).toEqual(accepted);
      expect(await ofKey(again.idempotencyKey)).toHaveLength(1);

      const racing = submission('инзб11112222', 'm-11112222-el', 4900);
      const answers = await Promise.all(Array.from({ length: 5 }, () => billing.submit(racing)));
      expect(answers).toEqual(Array(5).fill(accepted));
      expect(await ofKey(racing.idempotencyKey)).toMatchObject([{ values: { single: 4900 } }]);
    });

    test('a key seen again does not undo the correction sent after it', async () => {
      now = new Date(2031, 2, 21, 12, 0);
      const billing = createBillingStore(store.db, clock);
      const first = submission('инзб33334444', 'm-33334444-el', 23900);
      const correction = submission('инзб33334444', 'm-33334444-el', 23890);
      await billing.submit(first);
      await billing.submit(correction);
      expect(await billing.submit(first)).toEqual({ accepted: true, date: '2031-03-21' });
      expect(await readings().findOne({ _id: 'm-33334444-el|2031-03' })).toMatchObject({ values: { single: 23890 } });
    });

    const { submissions, readings: readingsAt } = BillingCollections;
    const deaths = [
      { step: 'before recording the answer', meter: 'm-12345678-heat', at: submissions, method: 'insertOne' },
      { step: 'before writing the reading', meter: 'm-12345678-hw', at: readingsAt, method: 'replaceOne' },
    ];

    test.each(deaths)('dying $step, run again next month: one reading, the answer names it', async (death) => {
      const { at, method, meter } = death;
      // The last minute of March; the turn runs again in April.
      now = new Date(2031, 2, 31, 23, 59);
      const reading = submission('инзб12345678', meter, 260);
      const dying = createBillingStore(dyingAt(store.db, at, method), clock);
      await expect(dying.submit(reading)).rejects.toThrow(Died);

      now = new Date(2031, 3, 1, 0, 1);
      const billing = createBillingStore(store.db, clock);
      const answer = await billing.submit(reading);
      expect(await billing.submit(reading)).toEqual(answer);
      const stored = await ofKey(reading.idempotencyKey);
      expect(stored).toHaveLength(1);
      expect(answer).toEqual({ accepted: true, date: stored[0]!.date });
    });
  });

  test('reference payments: the same orderId at once and again is one order, the first one asked for', async () => {
    const orders = createPaymentOrders(store.db);
    const request: PaymentRequest = {
      orderId: `order-${randomUUID()}`,
      account: 'инзб12345678',
      amount: 264285,
      description: 'Оплата по лицевому счёту инзб12345678',
      chatId: 'chat-1',
      channel: 'viber',
    };
    // Run again, the amount due may have changed in between: the order keeps its own.
    const created = await Promise.all(Array.from({ length: 5 }, () => orders.create(request)));
    expect(new Set(created.map((order) => JSON.stringify(order))).size).toBe(1);
    expect(await orders.create({ ...request, amount: 1 })).toEqual(created[0]);
    expect(created[0]).toMatchObject({ _id: request.orderId, amount: 264285, status: 'pending' });
    const stored = store.db.collection<{ _id: string }>(PAYMENT_ORDERS_COLLECTION);
    expect(await stored.countDocuments({ _id: request.orderId })).toBe(1);
  });
});
