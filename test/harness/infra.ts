import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { connectBus, Streams, type Bus } from '../../shared/bus/bus.js';
import { connectStore, type Store } from '../../shared/store/mongo.js';
import { createLogger } from '../../shared/ops/logger.js';
import { OWNERSHIP_BUCKET } from '../../services/worker/ownership/index.js';

export const natsUrl = () => inject('natsUrl');
export const mongoUrl = () => inject('mongoUrl');

export const testLogger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** A database of its own for each suite, so suites never see each other's chats. */
export async function freshStore(): Promise<Store> {
  return connectStore(mongoUrl(), `test_${randomUUID().slice(0, 8)}`);
}

/**
 * Connects to the test nats-server with the streams of earlier suites removed, and their workers'
 * partition leases: a lease of a worker killed by an earlier suite would hold its partition until
 * it expired.
 */
export async function freshBus(): Promise<Bus> {
  const bus = await connectBus(natsUrl(), 'test', testLogger);
  for (const stream of [...Object.values(Streams).map((s) => s.name), `KV_${OWNERSHIP_BUCKET}`]) {
    await bus.jsm.streams.delete(stream).catch(() => false);
  }
  return bus;
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
