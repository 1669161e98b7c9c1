import { createHmac, timingSafeEqual } from 'node:crypto';
import { channelOf, Channels, isChannel } from './channel.js';
import { PaymentStatus, type PaymentNotice } from '../ports/payments.js';

/**
 * The payment provider's signed callback (POST /payments/callback on ingress): the provider signs
 * the raw body with the shared secret, hex HMAC-SHA256, in PAYMENT_SIGNATURE_HEADER.
 */

export class PaymentNoticeError extends Error {
  override name = 'PaymentNoticeError';
  constructor(
    /** bad-signature: not from the provider (answer 403); malformed: signed but unusable (answer 400). */
    readonly reason: 'bad-signature' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

const MAX_ID_LENGTH = 200;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/i;
const STATUSES = new Set<string>(Object.values(PaymentStatus));

function requireSecret(secret: string): void {
  // An empty key would make every forged body "correctly signed".
  if (secret === '') throw new Error('the payment secret is empty');
}

export function signPaymentNotice(body: string | Buffer, secret: string): string {
  requireSecret(secret);
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Checks the signature over the raw bytes, in constant time, before anything is parsed, then
 * reads the notice field by field. Errors name the field, never its value (personal data).
 */
export function readPaymentNotice(raw: Buffer, signature: string | undefined, secret: string): PaymentNotice {
  if (typeof signature !== 'string' || !HEX_SIGNATURE.test(signature))
    throw new PaymentNoticeError('bad-signature', 'the signature is missing or not 64 hex digits');
  const expected = Buffer.from(signPaymentNotice(raw, secret), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    throw new PaymentNoticeError('bad-signature', 'the signature does not match the body');

  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PaymentNoticeError('malformed', 'the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new PaymentNoticeError('malformed', 'the body is not a JSON object');
  const fields = body as Record<string, unknown>;

  const id = (name: 'orderId' | 'account' | 'chatId' | 'noticeId'): string => {
    const value = fields[name];
    if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH)
      throw new PaymentNoticeError('malformed', `${name} must be a string of 1..${MAX_ID_LENGTH} characters`);
    return value;
  };
  const { status, amount, channel } = fields;
  if (typeof status !== 'string' || !STATUSES.has(status))
    throw new PaymentNoticeError('malformed', `status must be one of ${[...STATUSES].join(', ')}`);
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0)
    throw new PaymentNoticeError('malformed', 'amount must be a non-negative integer of kopecks');
  if (!isChannel(channel)) throw new PaymentNoticeError('malformed', `channel must be one of ${Channels.join(', ')}`);

  const chatId = id('chatId');
  // The chat's id names its channel; a notice that says otherwise was not made from our order.
  if (channelOf(chatId) !== channel) throw new PaymentNoticeError('malformed', 'channel does not match chatId');

  // A fresh object: fields the provider may add later do not travel further into the bot.
  return {
    orderId: id('orderId'),
    status: status as PaymentStatus,
    account: id('account'),
    amount,
    chatId,
    channel,
    noticeId: id('noticeId'),
  };
}
