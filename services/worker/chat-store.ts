import type { Collection, Db } from 'mongodb';
import type { OutboundReply } from '../../shared/reply.js';
import { isDuplicateKeyError } from '../../shared/mongo.js';

/** A side effect the saved state asked for and is waiting on; `id` is its idempotency key. */
export interface PendingEffect {
  id: string;
  /** The machine's invoked child that waits for the outcome. */
  childId: string;
  /** The effect's name in the machine's setup, and what it was given. */
  src: string;
  input: unknown;
}

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
  /**
   * Ids of the latest events applied, newest last. Catches a callback that reached the stream twice
   * (Viber resending after the bus's one-hour duplicate window, or a publish acknowledged twice).
   */
  recentEventIds: string[];
  /**
   * Effects the saved state asked for, in order, not yet settled: they run only after this save,
   * and whoever holds the chat next runs them again under the same ids if their outcome is missing.
   */
  pendingEffects: PendingEffect[];
}

/** The port through which workers load and save chats. */
export interface ChatStore {
  /**
   * The chat's latest record. `verify` reads past any shortcut to the newest saved version: asked
   * for after a save was refused, when the record read before is known to be behind.
   */
  load(chatId: string, options?: { verify?: boolean }): Promise<ChatRecord | null>;
  /** Saves `record` if the stored version is still `expectedVersion` (0 for a new chat); false if not. */
  save(record: ChatRecord, expectedVersion: number): Promise<boolean>;
}

/** A chat's record as stored, in its head document and in each version document. */
interface StoredRecord {
  version: number;
  machineVersion: number;
  /**
   * Stored serialised: snapshot keys can contain dots (history values, state ids), which a
   * document store treats as paths. Absent on pruned versions.
   */
  snapshot?: string;
  lastEventSeq: number;
  outbox?: OutboundReply[];
  recentEventIds?: string[];
  pendingEffects?: PendingEffect[];
  savedAt: Date;
}

interface ChatDocument extends StoredRecord {
  _id: string;
}

export const CHATS_COLLECTION = 'chats';
/** Versions whose snapshot is kept behind the latest, for a person reading a chat's recent history. */
const KEEP_VERSIONS = 3;
const PRUNE_EVERY = 10;

const versionId = (chatId: string, version: number) => `${chatId}#${version}`;

/**
 * Chats stored so that every operation is by `_id`, which both MongoDB and FerretDB v1 do atomically
 * and fast (FerretDB's SQLite backend scans the collection for any other filter):
 *
 * - `<chat>#<version>`: one document per saved version, inserted once and never deleted (old ones
 *   are only emptied). Of two writers saving the same next version, the unique `_id` admits exactly
 *   one: the optimistic lock. (A conditional update on a version field would do on MongoDB, but
 *   FerretDB v1 does not apply those atomically under concurrency.) Since ids are never freed, a
 *   writer holding an old version can never slip in under the latest.
 * - `<chat>`: the head, a copy of the latest record written after each save. Concurrent writers may
 *   leave it a version behind. A load reads only the head (a stale one costs a refused insert, no
 *   harm); a verifying load, after such a refusal, looks for the next versions until one is missing:
 *   the versions are contiguous, so that finds the latest. On FerretDB a read that finds nothing
 *   costs as much as one that finds something, so the ordinary turn does one read, not two.
 */
export class MongoChatStore implements ChatStore {
  private readonly docs: Collection<ChatDocument>;

  constructor(db: Db) {
    this.docs = db.collection<ChatDocument>(CHATS_COLLECTION);
  }

  async load(chatId: string, options: { verify?: boolean } = {}): Promise<ChatRecord | null> {
    let latest: StoredRecord | null = await this.docs.findOne({ _id: chatId });
    for (let version = (latest?.version ?? 0) + 1; options.verify; version++) {
      const next = await this.docs.findOne({ _id: versionId(chatId, version) });
      if (!next) break;
      latest = next;
    }
    if (!latest) return null;
    return {
      chatId,
      machineVersion: latest.machineVersion,
      snapshot: JSON.parse(latest.snapshot!),
      version: latest.version,
      lastEventSeq: latest.lastEventSeq,
      outbox: latest.outbox ?? [],
      recentEventIds: latest.recentEventIds ?? [],
      pendingEffects: latest.pendingEffects ?? [],
    };
  }

  async save(record: ChatRecord, expectedVersion: number): Promise<boolean> {
    if (record.version !== expectedVersion + 1) throw new Error('a save must raise the version by one');
    const stored: StoredRecord = {
      version: record.version,
      machineVersion: record.machineVersion,
      snapshot: JSON.stringify(record.snapshot),
      lastEventSeq: record.lastEventSeq,
      outbox: record.outbox,
      recentEventIds: record.recentEventIds,
      ...(record.pendingEffects.length > 0 ? { pendingEffects: record.pendingEffects } : {}),
      savedAt: new Date(),
    };
    try {
      await this.docs.insertOne({ _id: versionId(record.chatId, record.version), ...stored });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    await this.writeHead(record.chatId, stored);
    if (record.version % PRUNE_EVERY === 0) await this.prune(record.chatId, record.version);
    return true;
  }

  /**
   * The head is a shortcut, not the truth: a failed or lagging write only costs a refused insert
   * later. A new chat's head is inserted (FerretDB: ~1 ms, against ~30 ms for an upsert).
   */
  private async writeHead(chatId: string, stored: StoredRecord) {
    try {
      if (stored.version === 1) return void (await this.docs.insertOne({ _id: chatId, ...stored }));
    } catch (error) {
      if (!isDuplicateKeyError(error)) return;
    }
    await this.docs.replaceOne({ _id: chatId }, stored, { upsert: true }).catch(() => undefined);
  }

  /** Empties old versions (best effort): their ids stay taken, their snapshots go. */
  private async prune(chatId: string, latest: number) {
    for (let version = Math.max(1, latest - KEEP_VERSIONS - PRUNE_EVERY); version < latest - KEEP_VERSIONS; version++) {
      await this.docs.updateOne({ _id: versionId(chatId, version) }, { $unset: { snapshot: '', outbox: '', recentEventIds: '', pendingEffects: '' } }).catch(() => undefined);
    }
  }
}
