import { afterAll, beforeAll } from 'vitest';
import type { Store } from '../../shared/store/mongo.js';
import { dropStore, freshBus, freshStore, mongoUrl, natsUrl } from './infra.js';
import { startStack, type Stack } from './processes.js';

/**
 * A suite's whole stack, as real processes: a fresh bus and a store of the suite's own, started
 * in beforeAll; stopped, and the suite's databases (its own and the reference billing's) dropped,
 * in afterAll. The objects returned are filled in by beforeAll, so the tests use them as they are.
 */
export function suiteStack(options: Omit<Parameters<typeof startStack>[0], 'natsUrl' | 'mongoUrl' | 'mongoDb'>): {
  stack: Stack;
  store: Store;
} {
  const stack = {} as Stack;
  const store = {} as Store;
  beforeAll(async () => {
    await (await freshBus()).close();
    Object.assign(store, await freshStore());
    const started = await startStack({
      natsUrl: natsUrl(),
      mongoUrl: mongoUrl(),
      mongoDb: store.db.databaseName,
      ...options,
    });
    Object.assign(stack, started);
  });
  afterAll(async () => {
    await stack.stop?.();
    if (store.db) await dropStore(store);
  });
  return { stack, store };
}
