import type { Db } from 'mongodb';
import type { BillingGateway } from '../../shared/ports/billing.js';
import type { SmsGateway } from '../../shared/ports/sms.js';
import { StoredPhoneVerification } from '../../services/worker/index.js';
import { memoryBilling } from '../harness/demo-billing.js';

/** What the SMS operator was asked to send, and what reached the phone. */
interface Sms {
  phone: string;
  text: string;
  idempotencyKey: string;
}

/**
 * An SMS gateway that keeps what it is asked to send. Like the real port it sends once per
 * idempotency key; `failAfterSending` makes the next call deliver and then fail, as a gateway
 * timing out after the operator had accepted the message.
 */
export class CapturingSms implements SmsGateway {
  readonly calls: Sms[] = [];
  readonly delivered: Sms[] = [];
  failAfterSending = 0;

  async send(message: Sms): Promise<void> {
    this.calls.push(message);
    if (!this.delivered.some((sms) => sms.idempotencyKey === message.idempotencyKey)) this.delivered.push(message);
    if (this.failAfterSending > 0) {
      this.failAfterSending--;
      throw new Error('sms gateway timed out');
    }
  }

  /** The code in the last SMS that reached `phone`. */
  lastCode(phone?: string): string {
    const sms = this.delivered.filter((s) => phone === undefined || s.phone === phone).at(-1);
    const code = sms?.text.match(/\b(\d{6})\b/)?.[1];
    if (!code) throw new Error(`no code was sent${phone ? ` to ${phone}` : ''}`);
    return code;
  }
}

/** The demo billing, with these accounts and their phones on file. */
export function billingWithPhones(phones: Record<string, string>): BillingGateway {
  return {
    ...memoryBilling().gateway,
    findAccount: async (number) => (phones[number] ? { number, phone: phones[number]!, address: 'г. Иркутск' } : null),
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse('2026-11-25T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

export const SMS_CODE_SECRET = 'security-test-sms-secret';

/** A worker process's verification service on the shared store. */
export const verificationOn = (db: Db, deps: { billing: BillingGateway; sms: SmsGateway; now: () => number }) =>
  new StoredPhoneVerification(db, { ...deps, secret: SMS_CODE_SECRET });

/** Any value anywhere in a stored document, with the path to it. */
export function* leaves(value: unknown, path = ''): Generator<{ path: string; value: unknown }> {
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const [key, child] of Object.entries(value)) yield* leaves(child, path ? `${path}.${key}` : key);
  } else yield { path, value };
}

/** Every key anywhere in a stored document. */
export function* keysOf(value: unknown): Generator<string> {
  if (typeof value !== 'object' || value === null || value instanceof Date) return;
  for (const [key, child] of Object.entries(value)) {
    if (!Array.isArray(value)) yield key;
    yield* keysOf(child);
  }
}
