import type { Db } from 'mongodb';
import { Texts } from '../../../machines/texts.js';
import type { BillingGateway } from '../../../shared/ports/billing.js';
import type { SmsGateway } from '../../../shared/ports/sms.js';
import type {
  CodeCheck,
  CodeCheckResult,
  CodeRequest,
  CodeRequestResult,
  PhoneVerification,
} from '../../../shared/ports/verification.js';
import { CodeCrypto, digest } from './code-crypto.js';
import { VerificationRecords, type Challenge } from './records.js';
import {
  SEND_WINDOWS,
  lockEnd,
  lockedFor,
  maskPhone,
  minutesUntil,
  normalisePhone,
  verdictOf,
  VerificationLimits,
  type SpentAttempt,
} from './rules.js';

/**
 * SMS-code identification kept in the store, so every worker process sees the same challenges,
 * attempts and limits (records.ts), under the limits of rules.ts. Codes are stored only as an HMAC
 * keyed with a server secret (code-crypto.ts).
 *
 * The code itself is derived from the event that asked for it, so a turn run again (after a crash,
 * or on a second worker) means the same code, the same SMS idempotency key, and one SMS that still
 * matches what is stored. Likewise an attempt's slot holds its check's key and whether the code
 * matched: a check run again answers from it.
 */
export class StoredPhoneVerification implements PhoneVerification {
  private readonly records: VerificationRecords;
  private readonly crypto: CodeCrypto;

  constructor(
    db: Db,
    private readonly deps: {
      billing: BillingGateway;
      sms: SmsGateway;
      secret: string;
      now?: () => number;
      codeTtlMs?: number;
    },
  ) {
    this.records = new VerificationRecords(db);
    this.crypto = new CodeCrypto(deps.secret);
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  async requestCode(request: CodeRequest): Promise<CodeRequestResult> {
    const id = this.crypto.challengeId(request.chatId, request.account);
    const found = await this.records.challenge(id);
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
    if (found) await this.records.deleteAttempts(this.crypto.codeId(id, found.lastKey));
    const challenge = {
      codeHash: this.crypto.hashCode(id, this.crypto.codeFor(id, lastKey)),
      phone,
      expiresAt: new Date(now + (this.deps.codeTtlMs ?? VerificationLimits.codeTtlMs)),
      sentAt: new Date(now),
      lastKey,
      delivered: false,
    };
    await this.records.saveChallenge(id, challenge);
    return this.deliver(id, challenge);
  }

  /**
   * Sends the challenge's code unless it is known to be delivered. The code and the gateway's key both
   * follow from the event, so sending again after a crash is the same SMS, which the gateway sends once.
   */
  private async deliver(
    id: string,
    challenge: Pick<Challenge, 'phone' | 'lastKey' | 'delivered' | 'expiresAt'>,
  ): Promise<CodeRequestResult> {
    const sent = {
      result: 'sent',
      maskedPhone: maskPhone(challenge.phone),
      validUntil: challenge.expiresAt.getTime(),
    } as const;
    if (challenge.delivered) return sent;
    const text = Texts.identify.smsCode(this.crypto.codeFor(id, challenge.lastKey));
    await this.deps.sms.send({ phone: challenge.phone, text, idempotencyKey: `${id}:${challenge.lastKey}` });
    await this.records.markCode(id, challenge.lastKey, 'delivered');
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
    await this.records.reserveSend(reservation);
    for (const { period, ms, most } of SEND_WINDOWS) {
      const since = new Date(now - ms);
      for (const key of keys) {
        if ((await this.records.sendsSince(key, since)) <= most) continue;
        await this.records.releaseSend(reservation._id);
        const oldest = await this.records.oldestSendSince(key, since);
        return { result: 'limited', period, minutes: minutesUntil(new Date((oldest?.getTime() ?? now) + ms), now) };
      }
    }
    return null;
  }

  /**
   * One check is one attempt, named by its idempotency key: the same check run again (after a crash, or
   * on a stale worker at the same time) finds its slot and answers from it, spending nothing.
   */
  async checkCode(check: CodeCheck): Promise<CodeCheckResult> {
    const id = this.crypto.challengeId(check.chatId, check.account);
    const now = this.now();
    const current = await this.records.challenge(id);
    if (!current || !current.delivered) return { result: 'expired' };
    const codeId = this.crypto.codeId(id, current.lastKey);
    const key = digest(check.idempotencyKey);
    const earlier = await this.records.attemptsAt(codeId);
    const again = earlier.find((attempt) => attempt.key === key);
    if (again) return this.answer(current, earlier, again, now);

    if (current.lockedUntil && current.lockedUntil.getTime() > now) return lockedFor(current.lockedUntil, now);
    // Past its time, or used by a check before: a code works once.
    if (current.expiresAt.getTime() < now || earlier.some((attempt) => attempt.matched)) return { result: 'expired' };

    const matched = this.crypto.matches(current.codeHash, id, check.code);
    await this.records.spendAttempt({ codeId, challenge: id, key, matched, at: new Date(now) }, earlier.length);
    const attempts = await this.records.attemptsAt(codeId);
    // The first slot of this key: a second run of this check may have taken one before this run did.
    const mine = attempts.find((attempt) => attempt.key === key);
    if (mine) return this.answer(current, attempts, mine, now);
    return attempts.some((attempt) => attempt.matched) ? { result: 'expired' } : this.lock(current, now, now);
  }

  /** The answer to the check whose first slot is `mine`, given and given again. */
  private async answer(
    current: Challenge,
    attempts: SpentAttempt[],
    mine: SpentAttempt,
    now: number,
  ): Promise<CodeCheckResult> {
    const verdict = verdictOf(attempts, mine);
    if (verdict === 'lock') return this.lock(current, mine.at?.getTime() ?? now, now);
    if (verdict.result === 'ok') await this.records.markCode(current._id, current.lastKey, 'verified');
    return verdict;
  }

  /** Locks from `from` (the check's own time, so a check run again sets the same lock); never shortens a lock. */
  private async lock(current: Challenge, from: number, now: number): Promise<CodeCheckResult> {
    const until = lockEnd(from, current.lockedUntil);
    await this.records.lockUntil(current._id, until);
    return lockedFor(until, now);
  }
}
