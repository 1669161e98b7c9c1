import { onceUntilDone } from '../../../shared/ops/once-until-done.js';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../../../shared/store/mongo.js';
import { SEND_RETENTION_MS, SLOTS_PER_CODE, type SpentAttempt } from './rules.js';

export interface Challenge {
  _id: string;
  /** HMAC of the code: a leaked store does not leak codes. */
  codeHash: string;
  phone: string;
  expiresAt: Date;
  sentAt: Date;
  lockedUntil?: Date;
  /** The event that asked for the code: it names the code's attempts, and a turn run again sends no second SMS. */
  lastKey: string;
  delivered: boolean;
  /** A check matched: the code is spent, and the next one needs the phone again (as if there were none). */
  verified?: boolean;
}

/** One spent attempt at one code; its unique `_id` (the code's id and a slot number) is what makes spending atomic. */
interface Attempt {
  /** `<codeId>:<slot>`. */
  _id: string;
  /** Names the code (a digest of challenge and event), never holds it. */
  codeId: string;
  challenge: string;
  /** A digest of the check's idempotency key: the same check run again finds its slot. (Absent on older slots.) */
  key?: string;
  /** Whether the code given matched, so the check run again answers without it. */
  matched?: boolean;
  /** When the check ran: a lock it causes runs from then, however often it runs. */
  at?: Date;
}

/**
 * One code sent (or being sent), under the keys the hourly and daily limits count. Deleted once
 * older than SEND_RETENTION_MS, so the collection holds about a day of sends, however long the bot
 * runs: the counts and their clean-up filter a collection bounded by a day's codes.
 */
export interface SendRecord {
  _id: string;
  keys: string[];
  at: Date;
}

const spentAttempt = (attempt: Attempt): SpentAttempt => ({
  slot: Number(attempt._id.slice(attempt._id.lastIndexOf(':') + 1)),
  key: attempt.key ?? attempt._id,
  matched: attempt.matched,
  at: attempt.at,
});

/** A duplicate key is the answer "someone did this first"; any other error is a failure. */
function unlessDuplicateKey(error: unknown): void {
  if (!isDuplicateKeyError(error)) throw error;
}

/**
 * The SMS codes' challenges, attempts and sends in the store, shared by every worker process.
 *
 * Whatever must hold under concurrency rests on the one write every MongoDB-protocol store does
 * atomically, an insert with a unique `_id` (FerretDB v1 applies neither conditional updates nor
 * upserts atomically): an attempt is a slot `<code>:<n>` that one check alone can take, and a send
 * reserves its record before the hour's sends are counted.
 */
export class VerificationRecords {
  private readonly challenges: Collection<Challenge>;
  private readonly attempts: Collection<Attempt>;
  private readonly sends: Collection<SendRecord>;

  constructor(db: Db) {
    this.challenges = db.collection<Challenge>('sms_challenges');
    this.attempts = db.collection<Attempt>('sms_attempts');
    this.sends = db.collection<SendRecord>('sms_sends');
  }

  challenge(id: string): Promise<Challenge | null> {
    return this.challenges.findOne({ _id: id });
  }

  /** Writes the challenge whole; two workers writing the same event's challenge write the same fields. */
  async saveChallenge(id: string, fields: Omit<Challenge, '_id' | 'lockedUntil' | 'verified'>) {
    const unset = { lockedUntil: '', verified: '' } as const;
    const write = () => this.challenges.updateOne({ _id: id }, { $set: fields, $unset: unset }, { upsert: true });
    // Two upserts of a new challenge may both try the insert; the loser's write is then an update.
    await write().catch((error: unknown) => (isDuplicateKeyError(error) ? write() : Promise.reject(error)));
  }

  /** Marks the code asked for by `lastKey` (if it is still the challenge's) delivered, or verified. */
  async markCode(id: string, lastKey: string, mark: 'delivered' | 'verified') {
    await this.challenges.updateOne({ _id: id, lastKey }, { $set: { [mark]: true } });
  }

  /** Locks the challenge until `until`, unless it is locked longer already. */
  async lockUntil(id: string, until: Date) {
    await this.challenges.updateOne({ _id: id }, { $max: { lockedUntil: until } });
  }

  /**
   * The code's attempts by slot, read by `_id` (a filter on `codeId` would read every attempt of
   * every code on FerretDB). Slots are taken in order (see spendAttempt), so the first slot missing
   * is the end.
   */
  async attemptsAt(codeId: string): Promise<SpentAttempt[]> {
    const attempts: SpentAttempt[] = [];
    for (let slot = 1; slot <= SLOTS_PER_CODE; slot++) {
      const attempt = await this.attempts.findOne({ _id: `${codeId}:${slot}` });
      if (!attempt) break;
      attempts.push(spentAttempt(attempt));
    }
    return attempts;
  }

  /**
   * Takes the lowest free attempt slot of the code, if any is left. Slots are taken in order and never
   * freed one by one, so counting them finds the first that may be free; a slot another check took
   * first is a duplicate key, and the next is tried.
   */
  async spendAttempt(attempt: Omit<Attempt, '_id'>, taken: number): Promise<void> {
    for (let slot = taken + 1; slot <= SLOTS_PER_CODE; slot++) {
      try {
        await this.attempts.insertOne({ _id: `${attempt.codeId}:${slot}`, ...attempt });
        return;
      } catch (error) {
        unlessDuplicateKey(error);
      }
    }
  }

  /** Every slot of a code, by `_id`, in one command. */
  async deleteAttempts(codeId: string) {
    const deletes = Array.from({ length: SLOTS_PER_CODE }, (_, index) => ({
      deleteOne: { filter: { _id: `${codeId}:${index + 1}` } },
    }));
    await this.attempts.bulkWrite(deletes, { ordered: false });
  }

  /** Records a send (once per `_id`), after deleting the sends past SEND_RETENTION_MS. */
  async reserveSend(reservation: SendRecord) {
    await this.indexes();
    await this.sends.deleteMany({ at: { $lt: new Date(reservation.at.getTime() - SEND_RETENTION_MS) } });
    await this.sends.insertOne(reservation).catch(unlessDuplicateKey);
  }

  async releaseSend(id: string) {
    await this.sends.deleteOne({ _id: id });
  }

  sendsSince(key: string, since: Date): Promise<number> {
    return this.sends.countDocuments({ keys: key, at: { $gt: since } });
  }

  async oldestSendSince(key: string, since: Date): Promise<Date | undefined> {
    return (
      await this.sends
        .find({ keys: key, at: { $gt: since } })
        .sort({ at: 1 })
        .limit(1)
        .next()
    )?.at;
  }

  /**
   * Indexes for the hourly counts and their clean-up: MongoDB uses them; FerretDB v1 keeps them but
   * filters the (small) collection itself. A failure is tried again on the next send.
   */
  private readonly indexes = onceUntilDone(async () => {
    await this.sends.createIndex({ keys: 1, at: 1 });
    await this.sends.createIndex({ at: 1 });
  }, undefined);
}
