/**
 * Identification by SMS code: the bot's own service (codes hashed in the store, limits shared by
 * every worker), behind a port so the machines only see outcomes.
 */

export interface CodeRequest {
  chatId: string;
  account: string;
  /** The phone the customer shared; absent when asking for a resend of the current challenge. */
  phone?: string;
  /** The event's id: a turn that runs again after a crash sends no second SMS. */
  idempotencyKey: string;
}

export type CodeRequestResult =
  | { result: 'sent'; maskedPhone: string }
  | { result: 'mismatch' }
  | { result: 'no-challenge' }
  | { result: 'cooldown'; seconds: number }
  /** Too many wrong codes: the account is locked for this chat. */
  | { result: 'locked'; minutes: number }
  /** Too many codes asked for within the hour (per account, phone or chat): wait, nothing is wrong. */
  | { result: 'limited'; minutes: number };

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
