import { MongoClient, type Db } from 'mongodb';

export interface Store {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/**
 * One client per process: the driver pools connections and reconnects by itself, so a restarted
 * store costs failed operations (retried by the bus), never a restarted service.
 */
export async function connectStore(url: string, dbName: string): Promise<Store> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    // A server that accepts a connection and never answers (seen during a restart) must fail the
    // turn, which is then retried, not hang it. (The driver's timeoutMS is ignored since v7.)
    socketTimeoutMS: 10_000,
    // A process's operations queue here rather than inside the store: FerretDB serves each from a
    // pool of 50 PostgreSQL connections, and hundreds of concurrent operations from a few workers
    // made every one of them slow enough to time out (measured: 4 workers, 0 turns/s).
    maxPoolSize: 16,
    // Majority write concern: an acknowledged snapshot survives the loss of a replica set member.
    writeConcern: { w: 'majority' },
    retryWrites: true,
    // Command events feed the store's operation counters (shared/store/command-metrics.ts).
    monitorCommands: true,
  });
  await client.connect();
  return { client, db: client.db(dbName), close: () => client.close() };
}

/** The server's duplicate-key error: a concurrent insert of the same _id. */
export const isDuplicateKeyError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 11000;

/**
 * Whether the store removes documents by a TTL index: MongoDB does, FerretDB v1 refuses to create
 * one ("not implemented yet"), so on FerretDB nothing relies on expiry. Asked once per database.
 */
export function supportsTtlIndexes(db: Db): Promise<boolean> {
  let answer = ttlSupport.get(db);
  if (!answer) {
    answer = db
      .admin()
      .command({ buildInfo: 1 })
      .then((info) => !('ferretdbVersion' in info));
    answer.catch(() => ttlSupport.delete(db));
    ttlSupport.set(db, answer);
  }
  return answer;
}

const ttlSupport = new WeakMap<Db, Promise<boolean>>();
