import { createHash, createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
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
  attempts: number;
  lockedUntil?: Date;
  /** The event that asked for the last code, so a turn run again sends no second SMS. */
  lastKey: string;
  delivered: boolean;
}

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

/**
 * SMS-code identification kept in the store, so every worker process sees the same challenges,
 * attempts and limits. Codes are stored only as an HMAC keyed with a server secret; counters are
 * changed atomically, so two workers cannot both spend the last attempt.
 */
export class StoredPhoneVerification implements PhoneVerification {
  private readonly challenges: Collection<Challenge>;
  private readonly sends: Collection<SendRecord>;

  constructor(
    db: Db,
    private readonly deps: { billing: BillingGateway; sms: SmsGateway; secret: string; now?: () => number },
  ) {
    this.challenges = db.collection<Challenge>('sms_challenges');
    this.sends = db.collection<SendRecord>('sms_sends');
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  private challengeId(chatId: string, account: string) {
    return digest(`${chatId}\u0000${account}`);
  }

  private hashCode(challengeId: string, code: string) {
    return createHmac('sha256', this.deps.secret).update(`${challengeId}:${code}`).digest('hex');
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

    const keys = [`account:${digest(request.account)}`, `phone:${digest(phone)}`, `chat:${digest(request.chatId)}`];
    const hourAgo = new Date(now - 60 * 60_000);
    for (const key of keys) {
      if ((await this.sends.countDocuments({ keys: key, at: { $gt: hourAgo } })) >= VerificationLimits.codesPerHour) {
        const oldest = await this.sends.find({ keys: key, at: { $gt: hourAgo } }).sort({ at: 1 }).limit(1).next();
        return { result: 'locked', minutes: minutesUntil(new Date((oldest?.at.getTime() ?? now) + 60 * 60_000), now) };
      }
    }

    const code = String(randomInt(0, 10_000)).padStart(4, '0');
    const fields = {
      codeHash: this.hashCode(id, code),
      phone,
      expiresAt: new Date(now + VerificationLimits.codeTtlMs),
      sentAt: new Date(now),
      attempts: 0,
      lastKey: request.idempotencyKey,
      delivered: false,
    };
    await this.challenges.updateOne({ _id: id }, { $set: fields, $unset: { lockedUntil: '' } }, { upsert: true });
    await this.deps.sms.send({ phone, text: `Код для бота ООО «Иркутскэнергосбыт»: ${code}. Никому не сообщайте его.`, idempotencyKey: `${id}:${request.idempotencyKey}` });
    await this.challenges.updateOne({ _id: id, lastKey: request.idempotencyKey }, { $set: { delivered: true } });
    await this.sends.insertOne({ _id: randomUUID(), keys, at: new Date(now) });
    return { result: 'sent', maskedPhone: maskPhone(phone) };
  }

  async checkCode(check: { chatId: string; account: string; code: string }): Promise<CodeCheckResult> {
    const id = this.challengeId(check.chatId, check.account);
    const now = this.now();
    const current = await this.challenges.findOne({ _id: id });
    if (!current || !current.delivered) return { result: 'expired' };
    if (current.lockedUntil && current.lockedUntil.getTime() > now) return { result: 'locked', minutes: minutesUntil(current.lockedUntil, now) };
    if (current.expiresAt.getTime() < now) return { result: 'expired' };

    // Spend an attempt atomically: of two workers racing for the last attempt, one gets it.
    const spent = await this.challenges.findOneAndUpdate(
      { _id: id, codeHash: current.codeHash, attempts: { $lt: VerificationLimits.attemptsPerCode } },
      { $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
    if (!spent) return this.lock(id, now);

    const expected = Buffer.from(spent.codeHash, 'hex');
    const given = Buffer.from(this.hashCode(id, check.code), 'hex');
    if (timingSafeEqual(expected, given)) {
      await this.challenges.deleteOne({ _id: id });
      return { result: 'ok' };
    }
    const attemptsLeft = VerificationLimits.attemptsPerCode - spent.attempts;
    return attemptsLeft > 0 ? { result: 'wrong', attemptsLeft } : this.lock(id, now);
  }

  private async lock(id: string, now: number): Promise<CodeCheckResult> {
    const lockedUntil = new Date(now + VerificationLimits.lockMs);
    await this.challenges.updateOne({ _id: id }, { $set: { lockedUntil } });
    return { result: 'locked', minutes: minutesUntil(lockedUntil, now) };
  }
}
