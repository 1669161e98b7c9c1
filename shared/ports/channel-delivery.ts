import type { OutboundReply } from '../contracts/reply.js';

/**
 * A messenger's send failed, or did not reach it, with what to do about it. Each channel's adapter
 * classifies its own answers into these few facts, so outbound applies one set of rules to all.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    /** The messenger's own code (Viber's status, Telegram's error_code), or undefined when none came back. */
    readonly status: number | undefined,
    /** True when the same call may succeed later: rate limits, network errors, 5xx. */
    readonly retryable: boolean,
    /** The customer cannot be written to (Viber: unsubscribed; Telegram: blocked the bot). */
    readonly recipientGone = false,
    /** The messenger said when to try again (Telegram's retry_after), ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** What a send that got no answer in time is thrown as: maybe delivered, maybe not; worth retrying. */
export class DeliveryTimeoutError extends DeliveryError {
  override name = 'DeliveryTimeoutError';
  constructor(channel: string, timeoutMs: number) {
    super(`${channel} gave no answer within ${timeoutMs} ms`, undefined, true);
  }
}

/** One attempt at sending a reply. */
export interface SendAttempt {
  /** How long the attempt waits for the messenger. */
  timeoutMs: number;
  /**
   * True when no process can have sent any part of this reply yet (its first delivery): a sender
   * that records the parts of a reply it sent need not look for them.
   */
  untried: boolean;
}

/**
 * Renders one reply for its chat's messenger and sends it, in one or more calls, giving up after
 * the attempt's timeout. Throws a DeliveryError when it was not sent.
 */
export type SendReply = (outbound: OutboundReply, attempt: SendAttempt) => Promise<void>;
