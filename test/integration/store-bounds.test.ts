import type { Db } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { CHATS_COLLECTION, KEEP_VERSIONS, MongoChatStore } from '../../shared/adapters/mongo-chat-store.js';
import { supportsTtlIndexes } from '../../shared/store/mongo.js';
import type { ChatRecord } from '../../shared/ports/chat-store.js';
import { SEND_RETENTION_MS, VerificationLimits, PaymentOrders } from '../../services/worker/index.js';
import { BillingCollections, createBillingStore, type AccountDoc } from '../../fakes/reference/billing-store.js';
import { billingWithPhones, CapturingSms, manualClock, verificationOn } from '../security/verification-kit.js';
import { suiteStore } from '../harness/infra.js';

/**
 * The store stays bounded: documents in proportion to chats (not to turns), sends of the last hours
 * only, and every query by `_id` except on those small collections. Checked on the real store
 * (FerretDB on PostgreSQL by default; SQLite, or mongod, when the harness runs those).
 */

/** One store operation as a collection was asked for it. */
interface Operation {
  collection: string;
  method: string;
  filter: unknown;
}

const FILTERED = [
  'findOne',
  'find',
  'countDocuments',
  'deleteOne',
  'deleteMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'findOneAndUpdate',
];

/** The database with every filter given to its collections written down (bulk writes' filters included). */
function recording(db: Db, operations: Operation[]): Db {
  const wrap = (name: string) => {
    const real = db.collection(name);
    return new Proxy(real, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (FILTERED.includes(String(key)))
            operations.push({ collection: name, method: String(key), filter: args[0] ?? {} });
          if (key === 'bulkWrite') {
            for (const op of args[0] as Record<string, { filter: unknown }>[]) {
              const [method, body] = Object.entries(op)[0]!;
              operations.push({ collection: name, method, filter: body.filter });
            }
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === 'collection') return wrap;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A filter naming one `_id` (a string), with at most other plain equalities beside it: what every
 * store serves from its `_id` index (FerretDB on PostgreSQL from the GIN index on `_id`).
 */
const byId = (filter: unknown) =>
  typeof filter === 'object' &&
  filter !== null &&
  typeof (filter as { _id?: unknown })._id === 'string' &&
  Object.values(filter).every((value) => typeof value !== 'object' || value === null || value instanceof Date);

const notById = (operations: Operation[], ...collections: string[]) =>
  operations.filter((operation) => collections.includes(operation.collection) && !byId(operation.filter));

describe('the store stays bounded (real store)', () => {
  const store = suiteStore();

  const record = (chatId: string, version: number): ChatRecord => ({
    chatId,
    machineVersion: 1,
    snapshot: { value: 'menu', context: { turn: version } },
    version,
    lastEventSeq: version,
    outbox: [],
    recentEventIds: [`event-${version}`],
    pendingEffects: [],
    timers: [],
  });

  /** The chat's documents: its head and its versions. */
  const documentsOf = async (chatId: string) => {
    const docs = await store.db
      .collection<{ _id: string }>(CHATS_COLLECTION)
      .find({}, { projection: { _id: 1 } })
      .toArray();
    return docs.map((doc) => doc._id).filter((id) => id === chatId || id.startsWith(`${chatId}#`));
  };

  test(
    `a chat holds at most 2 × ${KEEP_VERSIONS} documents however many turns it has, ` +
      `${KEEP_VERSIONS} + 1 right after a deletion`,
    async () => {
      const operations: Operation[] = [];
      const chats = new MongoChatStore(recording(store.db, operations));
      let most = 0;
      for (let version = 1; version <= 100; version++) {
        expect(await chats.save(record('long', version), version - 1)).toBe(true);
        const docs = await documentsOf('long');
        most = Math.max(most, docs.length);
        // The head and the versions since the last deletion's kept ones, contiguous up to the latest.
        const kept = version < 2 * KEEP_VERSIONS ? version : KEEP_VERSIONS + (version % KEEP_VERSIONS);
        expect(docs.length, `after save ${version}`).toBe(kept + 1);
        if (version === 96) expect(docs.length).toBe(KEEP_VERSIONS + 1);
      }
      expect(most).toBeLessThanOrEqual(2 * KEEP_VERSIONS);
      const ids = new Set(await documentsOf('long'));
      for (let version = 100 - KEEP_VERSIONS - (100 % KEEP_VERSIONS) + 1; version <= 100; version++)
        expect(ids.has(`long#${version}`)).toBe(true);
      expect(await chats.load('long', { verify: true })).toMatchObject({
        version: 100,
        snapshot: { context: { turn: 100 } },
      });
      // Every operation of a hundred saves and a verifying load was by _id.
      expect(notById(operations, CHATS_COLLECTION)).toEqual([]);
    },
  );

  test(`a writer up to ${KEEP_VERSIONS} versions behind is still refused: the ids it would take are kept`, async () => {
    const chats = new MongoChatStore(store.db);
    for (let version = 1; version <= 3 * KEEP_VERSIONS; version++)
      await chats.save(record('stale', version), version - 1);
    const latest = 3 * KEEP_VERSIONS;
    for (let behind = 1; behind <= KEEP_VERSIONS; behind++) {
      expect(await chats.save(record('stale', latest - behind + 1), latest - behind), `${behind} behind`).toBe(false);
    }
    expect(await chats.load('stale', { verify: true })).toMatchObject({ version: latest });
  });

  test(
    'on a store with TTL indexes version documents expire and the head never does; ' +
      'on FerretDB nothing relies on expiry',
    async () => {
      const chats = new MongoChatStore(store.db);
      for (let version = 1; version <= 3; version++) await chats.save(record('expiring', version), version - 1);
      const docs = await store.db
        .collection<{ _id: string; expiresAt?: Date; savedAt: Date }>(CHATS_COLLECTION)
        .find({})
        .toArray();
      const head = docs.find((doc) => doc._id === 'expiring')!;
      const versions = docs.filter((doc) => doc._id.startsWith('expiring#'));
      expect(head.expiresAt).toBeUndefined();
      const indexes = await store.db.collection(CHATS_COLLECTION).listIndexes().toArray();
      if (await supportsTtlIndexes(store.db)) {
        expect(indexes.find((index) => index.key.expiresAt === 1)).toMatchObject({ expireAfterSeconds: 0 });
        for (const version of versions) expect(version.expiresAt!.getTime()).toBeGreaterThan(version.savedAt.getTime());
      } else {
        expect(indexes.some((index) => 'expireAfterSeconds' in index)).toBe(false);
        for (const version of versions) expect(version.expiresAt).toBeUndefined();
      }
    },
  );

  test(
    'SMS sends over simulated days: ' +
      'the sends collection holds the last day and an hour, and the limits still hold',
    async () => {
      const clock = manualClock();
      const sms = new CapturingSms();
      const phones: Record<string, string> = {};
      for (let i = 0; i < 200; i++) phones[`инзб${String(10_000_000 + i)}`] = `7900${String(1_000_000 + i)}`;
      const operations: Operation[] = [];
      const verification = verificationOn(recording(store.db, operations), {
        billing: billingWithPhones(phones),
        sms,
        now: clock.now,
      });
      const sends = store.db.collection('sms_sends');
      const everyMs = 10 * 60_000;
      const bound = SEND_RETENTION_MS / everyMs + 1;
      const accounts = Object.keys(phones);
      for (let step = 0; step < 6 * 24 * 2; step++) {
        // Two days of a code every ten minutes, by ever other customers (the limits are per account, phone and chat).
        const account = accounts[step % accounts.length]!;
        const result = await verification.requestCode({
          chatId: `chat-${step}`,
          account,
          phone: phones[account],
          idempotencyKey: `send-${step}`,
        });
        expect(result.result).toBe('sent');
        expect(await sends.countDocuments()).toBeLessThanOrEqual(bound);
        clock.advance(everyMs);
      }

      // One account asked for codes by new chats: the sixth within the hour is refused, an hour later it goes.
      const account = accounts[0]!;
      const ask = (n: number) =>
        verification.requestCode({
          chatId: `limit-chat-${n}`,
          account,
          phone: phones[account],
          idempotencyKey: `limit-${n}`,
        });
      for (let n = 1; n <= VerificationLimits.codesPerHour; n++) {
        expect((await ask(n)).result).toBe('sent');
        clock.advance(60_000);
      }
      expect((await ask(99)).result).toBe('limited');
      clock.advance(60 * 60_000);
      expect((await ask(100)).result).toBe('sent');

      // Filters other than _id touch only the sends, a collection of the last day: the clean-up, the
      // hourly and daily counts, and the oldest send of a refused window.
      expect(notById(operations, 'sms_challenges', 'sms_attempts')).toEqual([]);
      expect(new Set(notById(operations, 'sms_sends').map((operation) => operation.method))).toEqual(
        new Set(['deleteMany', 'countDocuments', 'find']),
      );
    },
  );

  test('code attempts: only the current code’s slots are kept, read and deleted by _id', async () => {
    const clock = manualClock();
    const sms = new CapturingSms();
    const account = 'инзб55556666';
    const phone = '79005556666';
    const operations: Operation[] = [];
    const verification = verificationOn(recording(store.db, operations), {
      billing: billingWithPhones({ [account]: phone }),
      sms,
      now: clock.now,
    });
    const attempts = store.db.collection('sms_attempts');
    for (let round = 1; round <= VerificationLimits.codesPerDay; round++) {
      // Three codes an hour, ten in the day, stay within the limits.
      clock.advance(20 * 60_000);
      expect(
        (await verification.requestCode({ chatId: 'attempts-chat', account, phone, idempotencyKey: `code-${round}` }))
          .result,
      ).toBe('sent');
      const wrong = sms.lastCode(phone) === '000000' ? '111111' : '000000';
      for (let check = 1; check <= 3; check++) {
        expect(
          await verification.checkCode({
            chatId: 'attempts-chat',
            account,
            code: wrong,
            idempotencyKey: `check-${round}-${check}`,
          }),
        ).toMatchObject({ result: 'wrong' });
      }
      expect(await attempts.countDocuments()).toBe(3);
    }
    expect(
      await verification.checkCode({
        chatId: 'attempts-chat',
        account,
        code: sms.lastCode(phone),
        idempotencyKey: 'check-right',
      }),
    ).toEqual({ result: 'ok' });
    expect(notById(operations, 'sms_challenges', 'sms_attempts')).toEqual([]);
  });

  test('payment orders and notices are found by _id only', async () => {
    const operations: Operation[] = [];
    const orders = new PaymentOrders(recording(store.db, operations));
    for (let n = 0; n < 20; n++)
      await orders.record({ orderId: `order-${n}`, chatId: 'pay-chat', account: 'инзб12345678', amountDue: 1000 });
    const notice = {
      id: 'n',
      channel: 'viber',
      chatId: 'pay-chat',
      at: 0,
      kind: 'payment',
      orderId: 'order-7',
      status: 'succeeded',
      account: 'инзб12345678',
      amount: 1000,
    } as const;
    expect(await orders.settle(notice as never, 1)).toEqual({ ok: true });
    expect(await orders.settle(notice as never, 2)).toEqual({ ok: false, reason: 'replay' });
    expect(notById(operations, 'payment_orders', 'payment_notices')).toEqual([]);
    if (await supportsTtlIndexes(store.db)) {
      const indexes = await store.db.collection('payment_orders').listIndexes().toArray();
      expect(indexes.some((index) => index.key.createdAt === 1 && index.expireAfterSeconds > 0)).toBe(true);
    }
  });

  test('reference billing: readings are read by _id month by month, gaps and all', async () => {
    const operations: Operation[] = [];
    const today = new Date(2031, 5, 10, 12, 0);
    const billing = createBillingStore(recording(store.db, operations), () => today);
    await billing.prepare();
    const account: AccountDoc = {
      _id: 'инзб77778888',
      phone: '79007778888',
      address: 'г. Иркутск',
      period: null,
      services: [{ id: 'electricity', name: 'Электроэнергия' }],
      due: [],
    };
    await billing.putAccount(account);
    await billing.putMeter({
      _id: 'm-gaps',
      account: account._id,
      serviceId: 'electricity',
      serialNumber: 'X-1',
      unit: 'кВт·ч',
      digits: 6,
      maxPlausibleConsumption: 1500,
      zones: [{ id: 'single', name: 'Показание' }],
      installedOn: '2028-01-15',
    });
    // Readings in some months only: the last one three months ago.
    for (const [year, month, value] of [
      [2030, 9, 100],
      [2030, 11, 300],
      [2031, 2, 600],
    ] as const) {
      await billing.addReadingIfMissing({
        account: account._id,
        meterId: 'm-gaps',
        date: new Date(year, month, 20),
        values: { single: value },
      });
    }
    const [meter] = await billing.meters(account, 'electricity');
    expect(meter!.zones[0]).toMatchObject({ previous: { value: 600, date: '2031-03-20' } });
    expect(meter!.zones[0]!.current).toBeUndefined();
    expect((await billing.history(account, 'm-gaps', 10))!.map((reading) => reading.values.single)).toEqual([
      600, 300, 100,
    ]);
    expect((await billing.history(account, 'm-gaps', 2))!.map((reading) => reading.values.single)).toEqual([600, 300]);
    expect(notById(operations, BillingCollections.readings)).toEqual([]);
  });
});
