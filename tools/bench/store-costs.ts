import { connectStore } from '../../shared/store/mongo.js';
import { createLimiter } from './limiter.js';
import { round } from './stats.js';

/** Milliseconds per operation, alone and with as many at once as the pipeline has partitions. */
export interface OperationCost {
  operation: string;
  /** One at a time. */
  msEach: number;
  /** CPU of this process (the mongodb driver and bson) per operation, one at a time. */
  clientCpuMsEach: number;
  opsPerSecondAlone: number;
  /** `concurrency` at a time: what a store shared by every partition gives. */
  opsPerSecondConcurrent: number | 'timed out';
}

export interface StoreCosts {
  documentsBefore: number;
  concurrency: number;
  operations: OperationCost[];
  /** A real chat snapshot after the script: its size and what serialising it costs. */
  snapshotBytes: number;
  snapshotStringifyMicros: number;
  snapshotParseMicros: number;
}

const OPERATIONS = 200;
const FILL_BATCH = 250;

async function timed(
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<number> {
  const limited = createLimiter(concurrency);
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, (_, index) => limited(() => operation(index))));
  return performance.now() - started;
}

function microsPer(runs: number, work: () => unknown): number {
  const started = performance.now();
  for (let run = 0; run < runs; run++) work();
  return round(((performance.now() - started) / runs) * 1000, 1);
}

/**
 * What each kind of operation a turn makes costs on this store, on a collection already holding
 * `documents` chat-sized documents: the reads of a load (a head found, a next version not found),
 * the version insert and the head's upsert of a save, and the alternatives for the head.
 */
export async function measureStoreCosts(
  mongoUrl: string,
  mongoDb: string,
  snapshot: unknown,
  documents: number,
  concurrency: number,
): Promise<StoreCosts> {
  const store = await connectStore(mongoUrl, mongoDb);
  try {
    const chats = store.db.collection<{ _id: string } & Record<string, unknown>>('chats');
    const text = JSON.stringify(snapshot);
    const record = (version: number) => ({
      version,
      machineVersion: 1,
      snapshot: text,
      lastEventSeq: version,
      outbox: [],
      recentEventIds: ['e1', 'e2'],
      savedAt: new Date(),
    });
    // In batches: one large insertMany outlasts the driver's 10 s operation timeout on FerretDB.
    for (let filled = 0; filled < documents; filled += FILL_BATCH) {
      await chats.insertMany(
        Array.from({ length: Math.min(FILL_BATCH, documents - filled) }, (_, index) => ({
          _id: `fill-${filled + index}`,
          ...record(1),
        })),
      );
    }

    // Each operation runs for keys a0… (one at a time), then c0… (together); later rows reuse the
    // heads of earlier ones.
    const operations: [string, (key: string, index: number) => Promise<unknown>][] = [
      ['findOne by _id, found', (_key, index) => chats.findOne({ _id: `fill-${index % documents}` })],
      ['findOne by _id, missing', (key) => chats.findOne({ _id: `absent-${key}` })],
      ['insertOne (a version)', (key) => chats.insertOne({ _id: `version-${key}`, ...record(2) })],
      [
        'replaceOne upsert, new (the head today)',
        (key) => chats.replaceOne({ _id: `head-${key}` }, record(2), { upsert: true }),
      ],
      ['replaceOne upsert, existing', (key) => chats.replaceOne({ _id: `head-${key}` }, record(3), { upsert: true })],
      ['replaceOne, existing, no upsert', (key) => chats.replaceOne({ _id: `head-${key}` }, record(4))],
      ['insertOne head (first save)', (key) => chats.insertOne({ _id: `new-head-${key}`, ...record(1) })],
    ];
    const costs: OperationCost[] = [];
    for (const [operation, run] of operations) {
      const cpuBefore = process.cpuUsage();
      const alone = await timed(OPERATIONS, 1, (index) => run(`a${index}`, index));
      const cpu = process.cpuUsage(cpuBefore);
      // Many at once may outlast the driver's timeout (FerretDB serialises writes): that is a figure too.
      const together = await timed(OPERATIONS, concurrency, (index) => run(`c${index}`, index)).catch(() => null);
      costs.push({
        operation,
        msEach: round(alone / OPERATIONS, 2),
        clientCpuMsEach: round((cpu.user + cpu.system) / 1000 / OPERATIONS, 3),
        opsPerSecondAlone: Math.round((OPERATIONS / alone) * 1000),
        opsPerSecondConcurrent: together === null ? 'timed out' : Math.round((OPERATIONS / together) * 1000),
      });
    }
    return {
      documentsBefore: documents,
      concurrency,
      operations: costs,
      snapshotBytes: Buffer.byteLength(text),
      snapshotStringifyMicros: microsPer(2_000, () => JSON.stringify(snapshot)),
      snapshotParseMicros: microsPer(2_000, () => JSON.parse(text)),
    };
  } finally {
    await store.db.dropDatabase().catch(() => undefined);
    await store.close();
  }
}
