import type { ConfigReader } from '../../shared/ops/config.js';
import { DEFAULT_CONTENT_PATH } from '../../shared/adapters/file-content-catalog.js';
import { VerificationLimits } from './verification/rules.js';

/** The worker's own settings, read once at start; the bus, store and partitions come from the infra config. */
export function readWorkerSettings(env: ConfigReader) {
  return {
    turnTimeoutMs: env.int('TURN_TIMEOUT_MS', 10_000, { min: 100 }),
    /** Live chat actors kept in memory at most; the least recently used idle ones go first. */
    liveChats: env.int('HOT_CHATS', 10_000, { min: 1 }),
    /** An actor idle this long is passivated; its state stays in the store. */
    passivateAfterMs: env.int('PASSIVATE_AFTER_MS', 15 * 60_000, { min: 1_000 }),
    /** How long a dead worker's partitions stay unanswered at most before another worker takes them. */
    leaseTtlMs: env.int('LEASE_TTL_MS', 4_000, { min: 500 }),
    /** Messages of one partition in hand at once (different chats run concurrently; one chat never). */
    partitionInFlight: env.int('PARTITION_IN_FLIGHT', 64, { min: 1, max: 10_000 }),
    billingUrl: env.url('BILLING_URL', 'http://127.0.0.1:8070/billing'),
    smsUrl: env.url('SMS_URL', 'http://127.0.0.1:8070/sms'),
    paymentUrl: env.url('PAYMENT_URL', 'http://127.0.0.1:8070/payments'),
    externalTimeoutMs: env.int('EXTERNAL_TIMEOUT_MS', 5_000, { min: 100 }),
    smsCodeSecret: env.secret('SMS_CODE_SECRET'),
    contentPath: env.string('CONTENT_PATH', DEFAULT_CONTENT_PATH.pathname),
    /** The reminder tick: a cron with seconds (nats-server's format), in Irkutsk time; tests compress it. */
    reminderSchedule: env.string('REMINDER_SCHEDULE', '0 0 10 * * *'),
    /** Reminder events put on the bus per second at most (Viber's pace; live replies keep theirs). */
    reminderRate: env.int('REMINDER_RATE', 50, { min: 1, max: 10_000 }),
    /** How long an SMS code lives (5 minutes); tests shorten it to see the expiry timer fire. */
    codeTtlMs: env.int('CODE_TTL_MS', VerificationLimits.codeTtlMs, { min: 1_000 }),
    /** INSPECT=1: report each chat's state changes on NATS, for the simulator's live diagram. */
    inspect: env.oneOf('INSPECT', ['0', '1'] as const, '0') === '1',
  };
}

export type WorkerSettings = ReturnType<typeof readWorkerSettings>;
