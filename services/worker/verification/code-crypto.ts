import { createHmac, timingSafeEqual } from 'node:crypto';
import { CODE_DIGITS } from '../../../shared/ports/verification.js';
import { sha256Hex } from '../../../shared/ops/digest.js';

/** A short SHA-256 digest: names a value in the store (an account, a phone, a key) without holding it. */
export const digest = (value: string) => sha256Hex(value, 32);

/**
 * The codes' cryptography, keyed with a server secret: a code is derived from the challenge and the
 * event that asked for it (so a turn run again means the same code), and stored only as an HMAC
 * (so a leaked store does not leak codes).
 */
export class CodeCrypto {
  constructor(private readonly secret: string) {}

  /** Names one chat's challenge for one account. */
  challengeId(chatId: string, account: string) {
    return digest(`${chatId}\u0000${account}`);
  }

  /** Names one code of a challenge (by the event that asked for it), never holds it. */
  codeId(challengeId: string, codeKey: string) {
    return digest(`${challengeId}:${codeKey}`);
  }

  /** CODE_DIGITS digits no one can predict without the secret, the same each time the same event asks. */
  codeFor(challengeId: string, idempotencyKey: string) {
    const number = this.hmac(`code\u0000${challengeId}\u0000${idempotencyKey}`).digest().readUInt32BE(0);
    return String(number % 10 ** CODE_DIGITS).padStart(CODE_DIGITS, '0');
  }

  hashCode(challengeId: string, code: string) {
    return this.hmac(`${challengeId}:${code}`).digest('hex');
  }

  /** Whether `code` is the one `codeHash` was made of, compared in constant time. */
  matches(codeHash: string, challengeId: string, code: string): boolean {
    const given = Buffer.from(this.hashCode(challengeId, code), 'hex');
    return timingSafeEqual(Buffer.from(codeHash, 'hex'), given);
  }

  private hmac(value: string) {
    return createHmac('sha256', this.secret).update(value);
  }
}
