import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startMongoCompatible, startNats, type LocalServer } from '../dev/local-servers.js';
import { connectStore } from '../../shared/store/mongo.js';
import { CHATS_COLLECTION } from '../../shared/adapters/mongo-chat-store.js';
import { childProcesses, type WatchedProcess } from './proc-sampler.js';

/** The bus and the store the benchmark runs on: throwaway servers it started, or NATS_URL / MONGO_URL. */
export interface BenchInfra {
  natsUrl: string;
  mongoUrl: string;
  storeEngine: string;
  /** The servers' processes, when the benchmark started them, for CPU and memory figures. */
  processes: WatchedProcess[];
  /** Where FerretDB keeps its SQLite files, when the benchmark started it. */
  storeDir: string | undefined;
  stop(): Promise<void>;
}

export async function startBenchInfra(progress: (message: string) => void): Promise<BenchInfra> {
  const dir = mkdtempSync(join(tmpdir(), 'energobot-bench-'));
  const started: (LocalServer & { label: string })[] = [];
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    const nats = await startNats({ dataDir: join(dir, 'nats') });
    started.push({ ...nats, label: 'nats-server' });
    natsUrl = nats.url;
  }
  let mongoUrl = process.env.MONGO_URL;
  let storeEngine = 'MONGO_URL';
  let storeDir: string | undefined;
  if (!mongoUrl) {
    storeDir = join(dir, 'store');
    const store = await startMongoCompatible({ dataDir: storeDir, progress });
    started.push({ ...store, label: store.engine.startsWith('FerretDB') ? 'ferretdb' : 'mongod' });
    mongoUrl = store.url;
    storeEngine = store.engine;
  }
  return {
    natsUrl,
    mongoUrl,
    storeEngine,
    storeDir,
    processes: [...started.map((server) => ({ name: server.label, pid: server.process.pid! })), ...postgres()],
    async stop() {
      await Promise.all(started.map((server) => server.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * PostgreSQL when FerretDB runs on it: started by this process, beside FerretDB. The store's work
 * is done in its backends, a process per connection, so they are counted with the postmaster.
 */
function postgres(): WatchedProcess[] {
  const postmaster = childProcesses(process.pid).find((child) => child.name === 'postgres');
  return postmaster ? [{ name: 'postgres (with backends)', pid: postmaster.pid, withChildren: true }] : [];
}

/**
 * Removes every stream and KV bucket, so that a scenario starts on an empty bus: the services
 * create what they need when they start.
 */
export async function emptyBus(natsUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) await jsm.streams.delete(stream.config.name);
  } finally {
    await nc.close();
  }
}

export interface StoreSize {
  bytesPerChat: number;
  /** Where the figure comes from: the server's own statistics, or the files on disk. */
  source: string;
}

/** The chats collection's size divided by the chats, as the server reports it or as the disk holds it. */
export async function storeSizePerChat(infra: BenchInfra, dbName: string, chats: number): Promise<StoreSize | null> {
  const store = await connectStore(infra.mongoUrl, dbName);
  try {
    const stats = await store.db.command({ collStats: CHATS_COLLECTION }).catch(() => store.db.command({ dbStats: 1 }));
    const bytes = Number(stats.storageSize ?? stats.size ?? stats.dataSize);
    if (Number.isFinite(bytes) && bytes > 0)
      return {
        bytesPerChat: Math.round(bytes / chats),
        source: stats.ns ? 'collStats.storageSize' : 'dbStats.storageSize',
      };
  } catch {
    // Statistics this server does not have: the files on disk below.
  } finally {
    await store.close();
  }
  if (!infra.storeDir) return null;
  const files = ['', '-wal']
    .map((suffix) => join(infra.storeDir!, `${dbName}.sqlite${suffix}`))
    .filter((file) => existsSync(file));
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  return bytes > 0 ? { bytesPerChat: Math.round(bytes / chats), source: 'SQLite files on disk' } : null;
}
