import type { FastifyInstance } from 'fastify';
import type { Store } from '../../shared/store/mongo.js';
import { buildReferenceSystems, type ReferenceOptions } from '../../fakes/reference/app.js';
import { freshStore, testLogger } from '../harness/infra.js';

export const PAYMENT_SECRET = 'reference-test-secret';

export interface RunningReference {
  app: FastifyInstance;
  store: Store;
  /** http://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

/** The reference systems on a random port, over a database of their own. */
export async function startReference(options: Partial<Omit<ReferenceOptions, 'db'>> = {}): Promise<RunningReference> {
  const store = await freshStore();
  const app = buildReferenceSystems({
    db: store.db,
    logger: testLogger,
    publicUrl: 'http://reference.invalid',
    paymentSecret: PAYMENT_SECRET,
    callbackUrl: 'http://127.0.0.1:1/unused',
    ...options,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    store,
    url: address,
    async stop() {
      await app.close();
      await store.db.dropDatabase();
      await store.close();
    },
  };
}

export const setFaults = async (url: string, faults: Record<string, string>) => {
  const response = await fetch(`${url}/_reference/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
};
