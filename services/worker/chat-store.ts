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

interface ChatDocument {
  _id: string;
  machineVersion: number;
  /**
   * Stored serialised: snapshot keys can contain dots (history values, state ids), which a
   * document store treats as paths.
   */
  snapshot: string;
  version: number;
  lastEventSeq: number;
  outbox: OutboundReply[];
  updatedAt: Date;
}

export const CHATS_COLLECTION = 'chats';

export class MongoChatStore implements ChatStore {
  private readonly chats: Collection<ChatDocument>;

  constructor(db: Db) {
    this.chats = db.collection<ChatDocument>(CHATS_COLLECTION);
  }

  async load(chatId: string): Promise<ChatRecord | null> {
    const doc = await this.chats.findOne({ _id: chatId });
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
    const fields = {
      machineVersion: record.machineVersion,
      snapshot: JSON.stringify(record.snapshot),
      version: record.version,
      lastEventSeq: record.lastEventSeq,
      outbox: record.outbox,
      updatedAt: new Date(),
    };
    if (expectedVersion === 0) {
      try {
        await this.chats.insertOne({ _id: record.chatId, ...fields });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    const result = await this.chats.updateOne({ _id: record.chatId, version: expectedVersion }, { $set: fields });
    return result.matchedCount === 1;
  }
}
