import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../../../shared/store/mongo.js';
import type { BillingGateway } from '../../../shared/ports/billing.js';
import type { SmsGateway } from '../../../shared/ports/sms.js';
import type {
  CodeCheck,
  CodeCheckResult,
  CodeRequest,
  CodeRequestResult,
  PhoneVerification,
} from '../../../shared/ports/verification.js';

/** The numbers the README promises. */
export const VerificationLimits = {
  codeTtlMs: 5 * 60_000,
  attemptsPerCode: 5,
  resendCooldownMs: 60_000,
  /** Codes sent per hour to one account, to one phone, and from one chat. */
  codesPerHour: 5,
  lockMs: 30 * 60_000,
} as const;

interface Challenge {
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
 * One code sent (or being sent) within the hour, under the keys the hourly limits count. Deleted
 * once older than SEND_RETENTION_MS, so the collection holds about two hours of sends, however long
 * the bot runs: the hourly counts and their clean-up filter a small collection.
 */
interface SendRecord {
  _id: string;
  keys: string[];
  at: Date;
}

/** Russian numbers: +7 900…, 8 900… and 7900… are the same phone. */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.length === 11 && digits.startsWith('8') ? `7${digits.slice(1)}` : digits;
}

/** "79001234567" → "+7 ••• •••-45-67" */
export const maskPhone = (phone: string) =>
  `+${phone.slice(0, phone.length - 10)} ••• •••-${phone.slice(-4, -2)}-${phone.slice(-2)}`;

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
const minutesUntil = (date: Date, now: number) => Math.max(1, Math.ceil((date.getTime() - now) / 60_000));
const HOUR_MS = 60 * 60_000;
/**
 * Sends older than this are deleted: past the hour the limits count, with room for workers whose
 * clocks differ (a send deleted by one worker must be out of every other worker's hour).
 */
export const SEND_RETENTION_MS = 2 * HOUR_MS;
/** Room for the same check taking a second slot when run on two workers at once: verdicts count keys, not slots. */
const SLOTS_PER_CODE = VerificationLimits.attemptsPerCode * 2;

const smsText = (code: string) => `Код для бота ООО «Иркутскэнергосбыт»: ${code}. Никому не сообщайте его.`;
const slotOf = (attempt: Attempt) => Number(attempt._id.slice(attempt._id.lastIndexOf(':') + 1));
const keyOf = (attempt: Attempt) => attempt.key ?? attempt._id;
const lockedFor = (until: Date, now: number): CodeCheckResult =>
  ({ result: 'locked', minutes: minutesUntil(until, now) });

/**
 * SMS-code identification kept in the store, so every worker process sees the same challenges,
 * attempts and limits. Codes are stored only as an HMAC keyed with a server secret.
 *
 * Whatever must hold under concurrency rests on the one write every MongoDB-protocol store does
 * atomically, an insert with a unique `_id` (FerretDB v1 applies neither conditional updates nor
 * upserts atomically): an attempt is a slot `<code>:<n>` that one check alone can take, and a send
 * reserves its record before it counts the hour's sends. The code itself is derived from the
 * event that asked for it, so a turn run again (after a crash, or on a second worker) means the
 * same code, the same SMS idempotency key, and one SMS that still matches what is stored. Likewise
 * a slot holds its check's key and whether the code matched: a check run again answers from it.
 */
export class StoredPhoneVerification implements PhoneVerification {
  private readonly challenges: Collection<Challenge>;
  private readonly attempts: Collection<Attempt>;
  private readonly sends: Collection<SendRecord>;
  private indexes?: Promise<void>;

  constructor(
    db: Db,
    private readonly deps: { billing: BillingGateway; sms: SmsGateway; secret: string; now?: () => number },
  ) {
    this.challenges = db.collection<Challenge>('sms_challenges');
    this.attempts = db.collection<Attempt>('sms_attempts');
    this.sends = db.collection<SendRecord>('sms_sends');
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  private challengeId(chatId: string, account: string) {
    return digest(`${chatId}\u0000${account}`);
  }

  private hmac(value: string) {
    return createHmac('sha256', this.deps.secret).update(value);
  }

  private hashCode(challengeId: string, code: string) {
    return this.hmac(`${challengeId}:${code}`).digest('hex');
  }

  /** Four digits no one can predict without the secret, the same each time the same event asks. */
  private codeFor(challengeId: string, idempotencyKey: string) {
    const number = this.hmac(`code\u0000${challengeId}\u0000${idempotencyKey}`).digest().readUInt32BE(0);
    return String(number % 10_000).padStart(4, '0');
  }

  async requestCode(request: CodeRequest): Promise<CodeRequestResult> {
    const id = this.challengeId(request.chatId, request.account);
    const found = await this.challenges.findOne({ _id: id });
    const now = this.now();
    // This event's code was saved before (the turn runs again): it passed every limit then, only sending is left.
    if (found?.lastKey === request.idempotencyKey) return this.deliver(id, found);
    const existing = found?.verified ? null : found;
    if (existing?.lockedUntil && existing.lockedUntil.getTime() > now) {
      return { result: 'locked', minutes: minutesUntil(existing.lockedUntil, now) };
    }

    let phone: string;
    if (request.phone !== undefined) {
      const account = await this.deps.billing.findAccount(request.account);
      if (!account || normalisePhone(account.phone) !== normalisePhone(request.phone)) return { result: 'mismatch' };
      phone = normalisePhone(account.phone);
    } else {
      if (!existing) return { result: 'no-challenge' };
      phone = existing.phone;
    }

    const sinceLast = existing ? now - existing.sentAt.getTime() : Infinity;
    if (sinceLast < VerificationLimits.resendCooldownMs) {
      return { result: 'cooldown', seconds: Math.ceil((VerificationLimits.resendCooldownMs - sinceLast) / 1000) };
    }

    const overLimit = await this.reserveSend(id, request, phone, now);
    if (overLimit) return overLimit;

    const lastKey = request.idempotencyKey;
    // The previous code's attempts go with it (by _id: the attempts of the codes before it went with
    // them); this code's stay, should a late run of this turn get here.
    if (found) await this.deleteAttempts(this.codeId(id, found.lastKey));
    const challenge = {
      codeHash: this.hashCode(id, this.codeFor(id, lastKey)),
      phone,
      expiresAt: new Date(now + VerificationLimits.codeTtlMs),
      sentAt: new Date(now),
      lastKey,
      delivered: false,
    };
    await this.saveChallenge(id, challenge);
    return this.deliver(id, challenge);
  }

  /**
   * Sends the challenge's code unless it is known to be delivered. The code and the gateway's key both
   * follow from the event, so sending again after a crash is the same SMS, which the gateway sends once.
   */
  private async deliver(
    id: string,
    challenge: Pick<Challenge, 'phone' | 'lastKey' | 'delivered'>,
  ): Promise<CodeRequestResult> {
    const sent = { result: 'sent', maskedPhone: maskPhone(challenge.phone) } as const;
    if (challenge.delivered) return sent;
    const text = smsText(this.codeFor(id, challenge.lastKey));
    await this.deps.sms.send({ phone: challenge.phone, text, idempotencyKey: `${id}:${challenge.lastKey}` });
    await this.challenges.updateOne({ _id: id, lastKey: challenge.lastKey }, { $set: { delivered: true } });
    return sent;
  }

  /**
   * Reserves this send in the hour's record, then counts: a send whose count is over a limit takes
   * its reservation back. Of sends racing on several workers each counts every reservation made
   * before its count, so no more than the limit can pass (at worst fewer). The reservation is named
   * after the event, so a turn run again does not count twice.
   */
  private async reserveSend(
    id: string,
    request: CodeRequest,
    phone: string,
    now: number,
  ): Promise<CodeRequestResult | null> {
    const keys = [`account:${digest(request.account)}`, `phone:${digest(phone)}`, `chat:${digest(request.chatId)}`];
    const reservation = { _id: digest(`${id}:${request.idempotencyKey}`), keys, at: new Date(now) };
    await (this.indexes ??= this.createIndexes());
    await this.sends.deleteMany({ at: { $lt: new Date(now - SEND_RETENTION_MS) } });
    await this.sends.insertOne(reservation).catch(unlessDuplicateKey);
    const hourAgo = new Date(now - HOUR_MS);
    for (const key of keys) {
      if ((await this.sends.countDocuments({ keys: key, at: { $gt: hourAgo } })) > VerificationLimits.codesPerHour) {
        await this.sends.deleteOne({ _id: reservation._id });
        const oldest = await this.sends.find({ keys: key, at: { $gt: hourAgo } }).sort({ at: 1 }).limit(1).next();
        return { result: 'limited', minutes: minutesUntil(new Date((oldest?.at.getTime() ?? now) + HOUR_MS), now) };
      }
    }
    return null;
  }

  /** Writes the challenge whole; two workers writing the same event's challenge write the same fields. */
  private async saveChallenge(id: string, fields: Omit<Challenge, '_id' | 'lockedUntil' | 'verified'>) {
    const unset = { lockedUntil: '', verified: '' } as const;
    const write = () => this.challenges.updateOne({ _id: id }, { $set: fields, $unset: unset }, { upsert: true });
    // Two upserts of a new challenge may both try the insert; the loser's write is then an update.
    await write().catch((error: unknown) => (isDuplicateKeyError(error) ? write() : Promise.reject(error)));
  }

  /**
   * One check is one attempt, named by its idempotency key: the same check run again (after a crash, or
   * on a stale worker at the same time) finds its slot and answers from it, spending nothing.
   */
  async checkCode(check: CodeCheck): Promise<CodeCheckResult> {
    const id = this.challengeId(check.chatId, check.account);
    const now = this.now();
    const current = await this.challenges.findOne({ _id: id });
    if (!current || !current.delivered) return { result: 'expired' };
    const codeId = this.codeId(id, current.lastKey);
    const key = digest(check.idempotencyKey);
    const earlier = await this.attemptsAt(codeId);
    const again = earlier.find((attempt) => keyOf(attempt) === key);
    if (again) return this.answer(current, earlier, again, now);

    if (current.lockedUntil && current.lockedUntil.getTime() > now) return lockedFor(current.lockedUntil, now);
    // Past its time, or used by a check before: a code works once.
    if (current.expiresAt.getTime() < now || earlier.some((attempt) => attempt.matched)) return { result: 'expired' };

    const given = Buffer.from(this.hashCode(id, check.code), 'hex');
    const matched = timingSafeEqual(Buffer.from(current.codeHash, 'hex'), given);
    await this.spendAttempt({ codeId, challenge: id, key, matched, at: new Date(now) }, earlier.length);
    const attempts = await this.attemptsAt(codeId);
    // The first slot of this key: a second run of this check may have taken one before this run did.
    const mine = attempts.find((attempt) => keyOf(attempt) === key);
    if (mine) return this.answer(current, attempts, mine, now);
    return attempts.some((attempt) => attempt.matched) ? { result: 'expired' } : this.lock(current, now, now);
  }

  private codeId(challengeId: string, codeKey: string) {
    return digest(`${challengeId}:${codeKey}`);
  }

  /**
   * The code's attempts by slot, read by `_id` (a filter on `codeId` would read every attempt of
   * every code on FerretDB). Slots are taken in order (see spendAttempt), so the first slot missing
   * is the end.
   */
  private async attemptsAt(codeId: string): Promise<Attempt[]> {
    const attempts: Attempt[] = [];
    for (let slot = 1; slot <= SLOTS_PER_CODE; slot++) {
      const attempt = await this.attempts.findOne({ _id: `${codeId}:${slot}` });
      if (!attempt) break;
      attempts.push(attempt);
    }
    return attempts;
  }

  /** Every slot of a code, by `_id`, in one command. */
  private async deleteAttempts(codeId: string) {
    const deletes = Array.from({ length: SLOTS_PER_CODE }, (_, index) => ({ deleteOne: { filter: { _id: `${codeId}:${index + 1}` } } }));
    await this.attempts.bulkWrite(deletes, { ordered: false });
  }

  /**
   * Indexes for the hourly counts and their clean-up: MongoDB uses them; FerretDB v1 keeps them but
   * filters the (small) collection itself. A failure is tried again on the next send.
   */
  private async createIndexes() {
    try {
      await this.sends.createIndex({ keys: 1, at: 1 });
      await this.sends.createIndex({ at: 1 });
    } catch {
      this.indexes = undefined;
    }
  }

  /** The answer to the check whose first slot is `mine`, given and given again. */
  private async answer(current: Challenge, attempts: Attempt[], mine: Attempt, now: number): Promise<CodeCheckResult> {
    const verdict = verdictOf(attempts, mine);
    if (verdict === 'lock') return this.lock(current, mine.at?.getTime() ?? now, now);
    if (verdict.result === 'ok') {
      await this.challenges.updateOne({ _id: current._id, lastKey: current.lastKey }, { $set: { verified: true } });
    }
    return verdict;
  }

  /**
   * Takes the lowest free attempt slot of the code, if any is left. Slots are taken in order and never
   * freed one by one, so counting them finds the first that may be free; a slot another check took
   * first is a duplicate key, and the next is tried.
   */
  private async spendAttempt(attempt: Omit<Attempt, '_id'>, taken: number): Promise<void> {
    for (let slot = taken + 1; slot <= SLOTS_PER_CODE; slot++) {
      try {
        await this.attempts.insertOne({ _id: `${attempt.codeId}:${slot}`, ...attempt });
        return;
      } catch (error) {
        unlessDuplicateKey(error);
      }
    }
  }

  /** Locks from `from` (the check's own time, so a check run again sets the same lock); never shortens a lock. */
  private async lock(current: Challenge, from: number, now: number): Promise<CodeCheckResult> {
    const until = new Date(Math.max(from + VerificationLimits.lockMs, current.lockedUntil?.getTime() ?? 0));
    await this.challenges.updateOne({ _id: current._id }, { $max: { lockedUntil: until } });
    return lockedFor(until, now);
  }
}

/**
 * The verdict on the check whose first slot is `mine`, from that slot and those before it (all taken:
 * slots are taken in order), so it is the same however often the check runs. A key holding several
 * slots spends one attempt.
 */
function verdictOf(attempts: Attempt[], mine: Attempt): CodeCheckResult | 'lock' {
  const upTo = attempts.filter((attempt) => slotOf(attempt) <= slotOf(mine));
  // Another check used the code first.
  if (upTo.some((attempt) => attempt.matched && slotOf(attempt) < slotOf(mine))) return { result: 'expired' };
  const spent = new Set(upTo.map(keyOf)).size;
  if (spent > VerificationLimits.attemptsPerCode) return 'lock';
  if (mine.matched) return { result: 'ok' };
  const attemptsLeft = VerificationLimits.attemptsPerCode - spent;
  return attemptsLeft > 0 ? { result: 'wrong', attemptsLeft } : 'lock';
}

/** A duplicate key is the answer "someone did this first"; any other error is a failure. */
function unlessDuplicateKey(error: unknown): void {
  if (!isDuplicateKeyError(error)) throw error;
}
