import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { connectBus, Streams, type Bus } from '../../shared/bus/bus.js';
import { listDeadLetters } from '../../shared/bus/dead-letters.js';
import { connectStore, type Store } from '../../shared/store/mongo.js';
import { createLogger } from '../../shared/ops/logger.js';
import { PARKED_CHATS_BUCKET } from '../../shared/adapters/nats-parked-chats.js';
import { OWNERSHIP_BUCKET, REMINDER_CHATS_BUCKET } from '../../services/worker/index.js';

export const natsUrl = () => inject('natsUrl');
export const mongoUrl = () => inject('mongoUrl');

export const testLogger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** A database of its own for each suite, so suites never see each other's chats. */
export async function freshStore(): Promise<Store> {
  return connectStore(mongoUrl(), `test_${randomUUID().slice(0, 8)}`);
}

/**
 * A fresh database for the suite this is called in, dropped after it. The store is there from the
 * suite's first test on: `const store = suiteStore();`, then `store.db` in the tests.
 */
export function suiteStore(): Store {
  let store: Store | undefined;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store?.db.dropDatabase();
    await store?.close();
  });
  const opened = () => store ?? raise('the suite store is used before its suite started');
  return {
    get client() {
      return opened().client;
    },
    get db() {
      return opened().db;
    },
    close: () => opened().close(),
  };
}

const raise = (message: string): never => {
  throw new Error(message);
};

/**
 * Connects to the test nats-server with the streams of earlier suites removed, and their workers'
 * partition leases (a lease of a worker killed by an earlier suite would hold its partition until
 * it expired), reminder consents and parked chats (the metrics count every park on the server).
 */
export async function freshBus(): Promise<Bus> {
  const bus = await connectBus(natsUrl(), 'test', testLogger);
  for (const stream of [
    ...Object.values(Streams).map((s) => s.name),
    `KV_${OWNERSHIP_BUCKET}`,
    `KV_${REMINDER_CHATS_BUCKET}`,
    `KV_${PARKED_CHATS_BUCKET}`,
  ]) {
    await bus.jsm.streams.delete(stream).catch(() => false);
  }
  return bus;
}

/** Drops a suite's database and the reference billing's beside it (`<db>_reference`), then closes. */
export async function dropStore(store: Store | undefined): Promise<void> {
  await store?.db.dropDatabase();
  await store?.client.db(`${store.db.databaseName}_reference`).dropDatabase();
  await store?.close();
}

export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Outbound's dead letters on the test nats-server, read over a connection of their own. */
export async function outboundLetters() {
  const bus = await connectBus(natsUrl(), 'test-letters', testLogger);
  try {
    return await listDeadLetters(bus.jsm, 'outbound');
  } finally {
    await bus.close();
  }
}
