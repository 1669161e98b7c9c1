import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../../shared/mongo.js';
import type { BillingGateway } from '../../shared/ports/billing.js';
import type { SmsGateway } from '../../shared/ports/sms.js';
import type { CodeCheckResult, CodeRequest, CodeRequestResult, PhoneVerification } from '../../shared/ports/verification.js';

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
}

/** One spent attempt at one code; its unique `_id` (the code's id and a slot number) is what makes spending atomic. */
interface Attempt {
  _id: string;
  /** Names the code (a digest of challenge and event), never holds it. */
  codeId: string;
  challenge: string;
}

/** One code sent (or being sent) within the hour, under the keys the hourly limits count. */
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
export const maskPhone = (phone: string) => `+${phone.slice(0, phone.length - 10)} ••• •••-${phone.slice(-4, -2)}-${phone.slice(-2)}`;

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
const minutesUntil = (date: Date, now: number) => Math.max(1, Math.ceil((date.getTime() - now) / 60_000));
const HOUR_MS = 60 * 60_000;

/**
 * SMS-code identification kept in the store, so every worker process sees the same challenges,
 * attempts and limits. Codes are stored only as an HMAC keyed with a server secret.
 *
 * Whatever must hold under concurrency rests on the one write every MongoDB-protocol store does
 * atomically, an insert with a unique `_id` (FerretDB v1 applies neither conditional updates nor
 * upserts atomically): an attempt is a slot `<code>:<n>` that one check alone can take, and a send
 * reserves its record before it counts the hour's sends. The code itself is derived from the
 * event that asked for it, so a turn run again (after a crash, or on a second worker) means the
 * same code, the same SMS idempotency key, and one SMS that still matches what is stored.
 */
export class StoredPhoneVerification implements PhoneVerification {
  private readonly challenges: Collection<Challenge>;
  private readonly attempts: Collection<Attempt>;
  private readonly sends: Collection<SendRecord>;

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
    return String(this.hmac(`code\u0000${challengeId}\u0000${idempotencyKey}`).digest().readUInt32BE(0) % 10_000).padStart(4, '0');
  }

  async requestCode(request: CodeRequest): Promise<CodeRequestResult> {
    const id = this.challengeId(request.chatId, request.account);
    const existing = await this.challenges.findOne({ _id: id });
    const now = this.now();

    if (existing?.lastKey === request.idempotencyKey && existing.delivered) return { result: 'sent', maskedPhone: maskPhone(existing.phone) };
    if (existing?.lockedUntil && existing.lockedUntil.getTime() > now) return { result: 'locked', minutes: minutesUntil(existing.lockedUntil, now) };

    let phone: string;
    if (request.phone !== undefined) {
      const account = await this.deps.billing.findAccount(request.account);
      if (!account || normalisePhone(account.phone) !== normalisePhone(request.phone)) return { result: 'mismatch' };
      phone = normalisePhone(account.phone);
    } else {
      if (!existing) return { result: 'no-challenge' };
      phone = existing.phone;
    }

    const sinceLast = existing && existing.lastKey !== request.idempotencyKey ? now - existing.sentAt.getTime() : Infinity;
    if (sinceLast < VerificationLimits.resendCooldownMs) return { result: 'cooldown', seconds: Math.ceil((VerificationLimits.resendCooldownMs - sinceLast) / 1000) };

    const overLimit = await this.reserveSend(id, request, phone, now);
    if (overLimit) return overLimit;

    const code = this.codeFor(id, request.idempotencyKey);
    // The previous code's attempts go with it.
    await this.attempts.deleteMany({ challenge: id });
    await this.saveChallenge(id, { codeHash: this.hashCode(id, code), phone, expiresAt: new Date(now + VerificationLimits.codeTtlMs), sentAt: new Date(now), lastKey: request.idempotencyKey, delivered: false });
    await this.deps.sms.send({ phone, text: `Код для бота ООО «Иркутскэнергосбыт»: ${code}. Никому не сообщайте его.`, idempotencyKey: `${id}:${request.idempotencyKey}` });
    await this.challenges.updateOne({ _id: id, lastKey: request.idempotencyKey }, { $set: { delivered: true } });
    return { result: 'sent', maskedPhone: maskPhone(phone) };
  }

  /**
   * Reserves this send in the hour's record, then counts: a send whose count is over a limit takes
   * its reservation back. Of sends racing on several workers each counts every reservation made
   * before its count, so no more than the limit can pass (at worst fewer). The reservation is named
   * after the event, so a turn run again does not count twice.
   */
  private async reserveSend(id: string, request: CodeRequest, phone: string, now: number): Promise<CodeRequestResult | null> {
    const keys = [`account:${digest(request.account)}`, `phone:${digest(phone)}`, `chat:${digest(request.chatId)}`];
    const reservation = { _id: digest(`${id}:${request.idempotencyKey}`), keys, at: new Date(now) };
    await this.sends.insertOne(reservation).catch(unlessDuplicateKey);
    const hourAgo = new Date(now - HOUR_MS);
    for (const key of keys) {
      if ((await this.sends.countDocuments({ keys: key, at: { $gt: hourAgo } })) > VerificationLimits.codesPerHour) {
        await this.sends.deleteOne({ _id: reservation._id });
        const oldest = await this.sends.find({ keys: key, at: { $gt: hourAgo } }).sort({ at: 1 }).limit(1).next();
        return { result: 'locked', minutes: minutesUntil(new Date((oldest?.at.getTime() ?? now) + HOUR_MS), now) };
      }
    }
    return null;
  }

  /** Writes the challenge whole; two workers writing the same event's challenge write the same fields. */
  private async saveChallenge(id: string, fields: Omit<Challenge, '_id' | 'lockedUntil'>) {
    const write = () => this.challenges.updateOne({ _id: id }, { $set: fields, $unset: { lockedUntil: '' } }, { upsert: true });
    // Two upserts of a new challenge may both try the insert; the loser's write is then an update.
    await write().catch((error: unknown) => (isDuplicateKeyError(error) ? write() : Promise.reject(error)));
  }

  async checkCode(check: { chatId: string; account: string; code: string }): Promise<CodeCheckResult> {
    const id = this.challengeId(check.chatId, check.account);
    const now = this.now();
    const current = await this.challenges.findOne({ _id: id });
    if (!current || !current.delivered) return { result: 'expired' };
    if (current.lockedUntil && current.lockedUntil.getTime() > now) return { result: 'locked', minutes: minutesUntil(current.lockedUntil, now) };
    if (current.expiresAt.getTime() < now) return { result: 'expired' };

    const attempt = await this.spendAttempt(id, current.lastKey);
    if (attempt === null) return this.lock(id, now);

    const expected = Buffer.from(current.codeHash, 'hex');
    const given = Buffer.from(this.hashCode(id, check.code), 'hex');
    if (timingSafeEqual(expected, given)) {
      // The attempts stay until the next code: freed slots would let a check racing this one in.
      await this.challenges.deleteOne({ _id: id });
      return { result: 'ok' };
    }
    const attemptsLeft = VerificationLimits.attemptsPerCode - attempt;
    return attemptsLeft > 0 ? { result: 'wrong', attemptsLeft } : this.lock(id, now);
  }

  /**
   * Takes the lowest free attempt slot of the current code: its number, or null when all are
   * taken. Slots are taken in order and never freed one by one, so counting them finds the first
   * that may be free; a slot another check took first is a duplicate key, and the next is tried.
   */
  private async spendAttempt(id: string, codeKey: string): Promise<number | null> {
    const codeId = digest(`${id}:${codeKey}`);
    const taken = await this.attempts.countDocuments({ codeId });
    for (let slot = taken + 1; slot <= VerificationLimits.attemptsPerCode; slot++) {
      try {
        await this.attempts.insertOne({ _id: `${codeId}:${slot}`, codeId, challenge: id });
        return slot;
      } catch (error) {
        unlessDuplicateKey(error);
      }
    }
    return null;
  }

  private async lock(id: string, now: number): Promise<CodeCheckResult> {
    const lockedUntil = new Date(now + VerificationLimits.lockMs);
    await this.challenges.updateOne({ _id: id }, { $set: { lockedUntil } });
    return { result: 'locked', minutes: minutesUntil(lockedUntil, now) };
  }
}

/** A duplicate key is the answer "someone did this first"; any other error is a failure. */
function unlessDuplicateKey(error: unknown): void {
  if (!isDuplicateKeyError(error)) throw error;
}
