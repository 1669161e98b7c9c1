import { onceUntilDone } from '../ops/once-until-done.js';
import type { Collection, Db } from 'mongodb';
import type { OutboundReply } from '../contracts/reply.js';
import type { ChatRecord, ChatStore, PendingEffect } from '../ports/chat-store.js';
import type { ArmedTimer } from '../contracts/timer.js';
import { isDuplicateKeyError, supportsTtlIndexes } from '../store/mongo.js';

/** A chat's record as stored, in its head document and in each version document. */
interface StoredRecord {
  version: number;
  machineVersion: number;
  /**
   * Stored serialised: snapshot keys can contain dots (history values, state ids), which a
   * document store treats as paths. (Absent on versions emptied by earlier releases.)
   */
  snapshot?: string;
  lastEventSeq: number;
  outbox?: OutboundReply[];
  recentEventIds?: string[];
  pendingEffects?: PendingEffect[];
  timers?: ArmedTimer[];
  savedAt: Date;
}

interface ChatDocument extends StoredRecord {
  _id: string;
  /** Version documents only (never the head): when a store with TTL indexes may remove it. */
  expiresAt?: Date;
}

export const CHATS_COLLECTION = 'chats';

/**
 * Versions kept behind the latest, and how often older ones are deleted: every KEEP_VERSIONS-th
 * save deletes the KEEP_VERSIONS versions before the ones kept. A chat so has at most
 * 2 × KEEP_VERSIONS documents (up to 2K − 1 versions and its head), K + 1 right after a deletion.
 */
export const KEEP_VERSIONS = 16;
/**
 * Where the store has TTL indexes (MongoDB; FerretDB v1 has none), a version document expires this
 * long after its save.
 */
const VERSION_TTL_MS = 30 * 24 * 60 * 60_000;

const versionId = (chatId: string, version: number) => `${chatId}#${version}`;

/**
 * Chats stored so that every operation is by `_id`, which both MongoDB and FerretDB v1 do atomically
 * (FerretDB cannot serve any other filter from an index):
 *
 * - `<chat>#<version>`: one document per saved version, inserted once. Of two writers saving the
 *   same next version, the unique `_id` admits exactly one: the optimistic lock. (A conditional
 *   update on a version field would do on MongoDB, but FerretDB v1 does not apply those atomically
 *   under concurrency.)
 * - `<chat>`: the head, a copy of the latest record written after each save. Concurrent writers may
 *   leave it a version behind. A load reads only the head (a stale one costs a refused insert, no
 *   harm); a verifying load, after such a refusal, looks for the next versions until one is missing:
 *   the versions are contiguous, so that finds the latest. On FerretDB a read that finds nothing
 *   costs as much as one that finds something, so the ordinary turn does one read, not two.
 *
 * **Old versions are deleted, which bounds the lock.** A writer holding version V inserts V + 1; had
 * V + 1 been deleted, the insert would succeed and a stale writer would slip in a turn under the
 * latest. So a version is deleted only once it is KEEP_VERSIONS behind the latest, by the writer
 * that saved the latest and then moved the head there (a head left further behind would lead a
 * load into the deleted range). A writer is stale only between losing its partition's lease and
 * its next fencing check (the check runs before every save); in that window the new owner has
 * to run more than KEEP_VERSIONS turns of the same chat before a stale insert could land on a
 * deleted id. The deletion is one `delete` command of KEEP_VERSIONS statements by `_id`
 * (bulkWrite), not `deleteMany({_id: {$in}})`: FerretDB v1 does not push `$in` down, and reads the
 * whole collection for it.
 *
 * On MongoDB a TTL index also removes each version VERSION_TTL_MS after its save (only version
 * documents carry `expiresAt`; the head never expires), so a chat idle that long keeps only its
 * head, which holds its latest version: the next save inserts the next id as usual. No writer holds
 * a version for 30 days. What expiry can cost: a save whose head write failed, followed by 30 idle
 * days, is forgotten (the head is a version behind, and the next save retakes the expired id from
 * the state before it).
 */
export class MongoChatStore implements ChatStore {
  private readonly docs: Collection<ChatDocument>;

  constructor(private readonly db: Db) {
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
      timers: latest.timers ?? [],
    };
  }

  async save(record: ChatRecord, expectedVersion: number): Promise<boolean> {
    if (record.version !== expectedVersion + 1) throw new Error('a save must raise the version by one');
    const expiring = await this.indexes();
    const savedAt = new Date();
    const stored: StoredRecord = {
      version: record.version,
      machineVersion: record.machineVersion,
      snapshot: JSON.stringify(record.snapshot),
      lastEventSeq: record.lastEventSeq,
      outbox: record.outbox,
      recentEventIds: record.recentEventIds,
      ...(record.pendingEffects.length > 0 ? { pendingEffects: record.pendingEffects } : {}),
      ...(record.timers.length > 0 ? { timers: record.timers } : {}),
      savedAt,
    };
    const expiry = expiring ? { expiresAt: new Date(savedAt.getTime() + VERSION_TTL_MS) } : {};
    try {
      await this.docs.insertOne({ _id: versionId(record.chatId, record.version), ...stored, ...expiry });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    const headMoved = await this.writeHead(record.chatId, stored);
    if (headMoved && record.version % KEEP_VERSIONS === 0) await this.prune(record.chatId, record.version);
    return true;
  }

  /**
   * The head is a shortcut, not the truth: a failed or lagging write only costs a refused insert
   * later. A new chat's head is inserted (FerretDB: ~1 ms, against ~30 ms for an upsert). True when
   * the head now holds this version.
   */
  private async writeHead(chatId: string, stored: StoredRecord): Promise<boolean> {
    try {
      if (stored.version === 1) return (await this.docs.insertOne({ _id: chatId, ...stored }), true);
    } catch (error) {
      if (!isDuplicateKeyError(error)) return false;
    }
    return this.docs.replaceOne({ _id: chatId }, stored, { upsert: true }).then(
      () => true,
      () => false,
    );
  }

  /**
   * Deletes the KEEP_VERSIONS versions before the last KEEP_VERSIONS (best effort: a deletion that
   * fails leaves those versions to the TTL index, where there is one).
   */
  private async prune(chatId: string, latest: number) {
    const deletes = [];
    for (let version = Math.max(1, latest - 2 * KEEP_VERSIONS + 1); version <= latest - KEEP_VERSIONS; version++) {
      deletes.push({ deleteOne: { filter: { _id: versionId(chatId, version) } } });
    }
    if (deletes.length > 0) await this.docs.bulkWrite(deletes, { ordered: false }).catch(() => undefined);
  }

  /**
   * The TTL index on version documents, where the store has TTL indexes; true once it exists. A
   * failure is asked again on the next save; the saves before it carry no expiry (the deletions above
   * still bound them).
   */
  private readonly indexes = onceUntilDone(async () => {
    if (!(await supportsTtlIndexes(this.db))) return false;
    await this.docs.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'versions_expire' });
    return true;
  }, false);
}
