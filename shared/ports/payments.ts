import type { Channel } from '../contracts/channel.js';

/**
 * The payment provider: makes a payment page for an account and amount, and later calls our
 * ingress back, signed, when the customer paid or gave up. Amounts in kopecks.
 */

export interface PaymentRequest {
  /** Ours, unique per attempt; the provider echoes it in the callback. Same id twice: same payment. */
  orderId: string;
  account: string;
  amount: number;
  description: string;
  /** Who to tell: echoed in the callback so ingress can route it to the chat. */
  chatId: string;
  channel: Channel;
}

export interface PaymentLink {
  orderId: string;
  url: string;
}

export const PaymentStatus = { Succeeded: 'succeeded', Failed: 'failed', Cancelled: 'cancelled' } as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

/** What the provider's callback says, once its signature is checked. */
export interface PaymentNotice {
  orderId: string;
  status: PaymentStatus;
  account: string;
  /** The amount actually paid (the customer may change it on the page), kopecks. */
  amount: number;
  chatId: string;
  channel: Channel;
  /** The provider's own id of this notice: the same notice delivered twice has the same id. */
  noticeId: string;
}

export interface PaymentProvider {
  createPayment(request: PaymentRequest): Promise<PaymentLink>;
}

/** The header carrying the hex HMAC-SHA256 of the callback's raw body, keyed with the shared secret. */
export const PAYMENT_SIGNATURE_HEADER = 'x-payment-signature';

export class PaymentUnavailableError extends Error {
  override name = 'PaymentUnavailableError';
}
