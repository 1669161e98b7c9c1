/**
 * Identification by SMS code: the bot's own service (codes hashed in the store, limits shared by
 * every worker), behind a port so the machines only see outcomes.
 */

/** Digits of an SMS code: a million codes, so the attempts the limits allow a day are a 0.005 % chance. */
export const CODE_DIGITS = 6;

export interface CodeRequest {
  chatId: string;
  account: string;
  /** The phone the customer shared; absent when asking for a resend of the current challenge. */
  phone?: string;
  /** The event's id: a turn that runs again after a crash sends no second SMS. */
  idempotencyKey: string;
}

export type CodeRequestResult =
  /** `validUntil`: when the code expires (ms since the epoch): the code screen says so then. */
  | { result: 'sent'; maskedPhone: string; validUntil: number }
  | { result: 'mismatch' }
  | { result: 'no-challenge' }
  | { result: 'cooldown'; seconds: number }
  /** Too many wrong codes: the account is locked for this chat. */
  | { result: 'locked'; minutes: number }
  /** Too many codes asked for within the hour or the day (per account, phone or chat): wait, nothing is wrong. */
  | { result: 'limited'; minutes: number; period: 'hour' | 'day' };

export interface CodeCheck {
  chatId: string;
  account: string;
  code: string;
  /** The event's id: a check run again after a crash spends no second attempt and gets the same verdict. */
  idempotencyKey: string;
}

export type CodeCheckResult =
  | { result: 'ok' }
  | { result: 'wrong'; attemptsLeft: number }
  | { result: 'expired' }
  | { result: 'locked'; minutes: number };

export interface PhoneVerification {
  requestCode(request: CodeRequest): Promise<CodeRequestResult>;
  checkCode(check: CodeCheck): Promise<CodeCheckResult>;
}
