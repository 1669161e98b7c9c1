import type { CodeCheckResult } from '../../../shared/ports/verification.js';

/** The numbers the README promises. */
export const VerificationLimits = {
  codeTtlMs: 5 * 60_000,
  attemptsPerCode: 5,
  resendCooldownMs: 60_000,
  /** Codes sent per hour to one account, to one phone, and from one chat. */
  codesPerHour: 5,
  /**
   * Codes sent per day, likewise: what bounds guessing by someone who has the account number and its
   * phone (10 codes × 5 attempts = 50 guesses a day at a 6-digit code), and the texts a stranger can
   * make the owner's phone receive.
   */
  codesPerDay: 10,
  lockMs: 30 * 60_000,
} as const;

const HOUR_MS = 60 * 60_000;
export const DAY_MS = 24 * HOUR_MS;
/** The windows the sends are counted over, with the most codes each allows. */
export const SEND_WINDOWS = [
  { period: 'hour', ms: HOUR_MS, most: VerificationLimits.codesPerHour },
  { period: 'day', ms: DAY_MS, most: VerificationLimits.codesPerDay },
] as const;
/**
 * Sends older than this are deleted: past the day the limits count, with room for workers whose
 * clocks differ (a send deleted by one worker must be out of every other worker's day).
 */
export const SEND_RETENTION_MS = DAY_MS + HOUR_MS;
/** Room for the same check taking a second slot when run on two workers at once: verdicts count keys, not slots. */
export const SLOTS_PER_CODE = VerificationLimits.attemptsPerCode * 2;

/** Russian numbers: +7 900…, 8 900… and 7900… are the same phone. */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.length === 11 && digits.startsWith('8') ? `7${digits.slice(1)}` : digits;
}

/** "79001234567" → "+7 ••• •••-45-67" */
export const maskPhone = (phone: string) =>
  `+${phone.slice(0, phone.length - 10)} ••• •••-${phone.slice(-4, -2)}-${phone.slice(-2)}`;

export const minutesUntil = (date: Date, now: number) => Math.max(1, Math.ceil((date.getTime() - now) / 60_000));

export const lockedFor = (until: Date, now: number): CodeCheckResult => ({
  result: 'locked',
  minutes: minutesUntil(until, now),
});

/**
 * The end of a lock from `from` (the check's own time, so a check run again sets the same lock);
 * never shortens `current`.
 */
export const lockEnd = (from: number, current?: Date) =>
  new Date(Math.max(from + VerificationLimits.lockMs, current?.getTime() ?? 0));

/** One attempt spent at a code, as the verdicts see it. */
export interface SpentAttempt {
  /** Its place among the code's attempts, from 1: slots are taken in order. */
  slot: number;
  /** Names the check that spent it: the same check run again finds it. */
  key: string;
  /** Whether the code given matched. */
  matched?: boolean;
  /** When the check ran: a lock it causes runs from then, however often it runs. */
  at?: Date;
}

/**
 * The verdict on the check whose first slot is `mine`, from that slot and those before it (all taken:
 * slots are taken in order), so it is the same however often the check runs. A key holding several
 * slots spends one attempt.
 */
export function verdictOf(attempts: SpentAttempt[], mine: SpentAttempt): CodeCheckResult | 'lock' {
  const upTo = attempts.filter((attempt) => attempt.slot <= mine.slot);
  // Another check used the code first.
  if (upTo.some((attempt) => attempt.matched && attempt.slot < mine.slot)) return { result: 'expired' };
  const spent = new Set(upTo.map((attempt) => attempt.key)).size;
  if (spent > VerificationLimits.attemptsPerCode) return 'lock';
  if (mine.matched) return { result: 'ok' };
  const attemptsLeft = VerificationLimits.attemptsPerCode - spent;
  return attemptsLeft > 0 ? { result: 'wrong', attemptsLeft } : 'lock';
}
