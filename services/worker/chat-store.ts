import type { Collection, Db } from 'mongodb';
import type { OutboundReply } from '../../shared/reply.js';
import { isDuplicateKeyError } from '../../shared/mongo.js';

/** One chat as the store keeps it: its dialogue state and what the last turn said. */
export interface ChatRecord {
  chatId: string;
  /** The machine version the snapshot was made with. */
  machineVersion: number;
  /** XState's persisted snapshot. */
  snapshot: unknown;
  /** Raised on every save; a save expecting another version is refused (optimistic concurrency). */
  version: number;
  /** Stream sequence of the last event applied: a redelivered event at or below it is not run again. */
  lastEventSeq: number;
  /** The replies of the last turn, published again if that turn's event is redelivered. */
  outbox: OutboundReply[];
}

/** The port through which workers load and save chats. */
export interface ChatStore {
  load(chatId: string): Promise<ChatRecord | null>;
  /** Saves `record` if the stored version is still `expectedVersion` (0 for a new chat); false if not. */
  save(record: ChatRecord, expectedVersion: number): Promise<boolean>;
}

/**
 * One document per saved version of a chat, never updated: `_id` is `<chat id>#<version>`, so of two
 * writers saving the same next version the store's unique `_id` lets exactly one in. (A conditional
 * update on `version` would do on MongoDB, but FerretDB v1 does not apply those atomically under
 * concurrency; a unique insert is atomic on both.) Older versions are pruned now and then.
 */
interface ChatVersionDocument {
  _id: string;
  chatId: string;
  version: number;
  machineVersion: number;
  /**
   * Stored serialised: snapshot keys can contain dots (history values, state ids), which a
   * document store treats as paths.
   */
  snapshot: string;
  lastEventSeq: number;
  outbox: OutboundReply[];
  savedAt: Date;
}

export const CHATS_COLLECTION = 'chat_versions';
/** Versions kept behind the latest, for a person reading a chat's recent history. */
const KEEP_VERSIONS = 3;
const PRUNE_EVERY = 10;

export class MongoChatStore implements ChatStore {
  private readonly versions: Collection<ChatVersionDocument>;
  private indexed: Promise<unknown> | undefined;

  constructor(db: Db) {
    this.versions = db.collection<ChatVersionDocument>(CHATS_COLLECTION);
  }

  /** The index the latest-version query needs, made once per process. */
  private ready() {
    this.indexed ??= this.versions.createIndex({ chatId: 1, version: -1 });
    return this.indexed;
  }

  async load(chatId: string): Promise<ChatRecord | null> {
    await this.ready();
    const doc = await this.versions.find({ chatId }).sort({ version: -1 }).limit(1).next();
    if (!doc) return null;
    return {
      chatId,
      machineVersion: doc.machineVersion,
      snapshot: JSON.parse(doc.snapshot),
      version: doc.version,
      lastEventSeq: doc.lastEventSeq,
      outbox: doc.outbox,
    };
  }

  async save(record: ChatRecord, expectedVersion: number): Promise<boolean> {
    if (record.version !== expectedVersion + 1) throw new Error('a save must raise the version by one');
    await this.ready();
    try {
      await this.versions.insertOne({
        _id: `${record.chatId}#${record.version}`,
        chatId: record.chatId,
        version: record.version,
        machineVersion: record.machineVersion,
        snapshot: JSON.stringify(record.snapshot),
        lastEventSeq: record.lastEventSeq,
        outbox: record.outbox,
        savedAt: new Date(),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    if (record.version % PRUNE_EVERY === 0) {
      // Best effort: a failed prune leaves old versions, which cost space, not correctness.
      await this.versions.deleteMany({ chatId: record.chatId, version: { $lt: record.version - KEEP_VERSIONS } }).catch(() => undefined);
    }
    return true;
  }
}
