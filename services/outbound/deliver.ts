import type { JsMsg } from '@nats-io/jetstream';
import type { OutboundReply } from '../../shared/contracts/reply.js';
import type { Logger } from '../../shared/ops/logger.js';
import type { Outcome } from '../../shared/bus/partitioned-consumer.js';
import { DeliveryError } from '../../shared/ports/channel-delivery.js';
import { CHANNEL_FEATURES, channelOf } from '../../shared/contracts/channel.js';
import type { Parking } from './parking.js';
import { sendAndRecord, type ReplySenderDeps } from './send-reply.js';
import { attemptTimeoutMs } from './attempt-timeout.js';
import { DUPLICATE_WINDOW_MS } from '../../shared/bus/bus.js';
/** A reminder's replies carry its event id, `reminder:…` (services/worker/reminders). */
const REMINDER_REPLY_PREFIX = 'reminder:';

export interface DeliveryPolicy {
  /** A reply older than this (from its stream timestamp) that still cannot be sent is given up on. */
  replyMaxAgeMs: number;
  /** The first attempt's timeout, and the longest any attempt waits. */
  sendTimeoutMs: number;
  sendTimeoutMaxMs: number;
}

export interface DeliverDeps extends ReplySenderDeps {
  parking: Parking;
  policy: DeliveryPolicy;
  /** Told of each reply given up on because it expired (metrics). */
  onExpired(): void;
  /** Told of each reminder dropped because the customer unsubscribed (metrics). */
  onReminderDropped?(): void;
}

/** A reply as the bus handed it over: its message (for filing it), how often it came, when it was stored. */
export interface ReplyInHand {
  msg: JsMsg;
  outbound: OutboundReply;
  deliveries: number;
  /** When the bus stored it (ms since the epoch, the bus's clock): how old the reply is. */
  storedAt: number;
}

/**
 * Whether nobody can have sent this reply yet, so that looking up its sent record (a bus round
 * trip per reply) can be skipped. True on the reply's first delivery when the bus stored it within
 * half its duplicate window of the turn that said it: a worker publishing it again (its turn
 * redelivered after a crash) is refused as a duplicate for the whole window, so this message is its
 * only copy, and a first delivery is the first time any outbound holds it. The other half of the
 * window covers skew between the worker's clock and the bus's.
 */
export function isUntried(hand: Pick<ReplyInHand, 'outbound' | 'deliveries' | 'storedAt'>): boolean {
  const { madeAt } = hand.outbound;
  return hand.deliveries === 1 && madeAt !== undefined && hand.storedAt - madeAt < DUPLICATE_WINDOW_MS / 2;
}

/**
 * Sends one reply once, in its chat's order, through its chat's messenger. A reply of a parked chat
 * is filed behind the reply its chat waits for. A passing failure (the messenger down, slow, rate
 * limiting; the bus) goes back to the bus to be tried again after a capped backoff (or when the
 * messenger said to), holding the chat's later replies behind it, for as long as the reply is
 * younger than REPLY_MAX_AGE_MS; then it is filed as expired. A permanent one (the customer
 * unsubscribed or blocked the bot, bad data) is filed at once. Either filing parks the chat.
 */
export async function deliverReply(deps: DeliverDeps, hand: ReplyInHand, logger: Logger): Promise<Outcome> {
  const { outbound } = hand;
  try {
    let untried = isUntried(hand);
    if (!untried && (await deps.sent.wasSent(outbound.id))) {
      logger.info({ replyId: outbound.id }, 'reply already sent; not sending it again');
      return 'ack';
    }
    const park = await deps.parking.parkOf(hand.msg, outbound.chatId);
    if (park) {
      if ((await deps.parking.fileBehind(hand.msg, outbound.chatId, park)) === 'filed') {
        logger.warn({ replyId: outbound.id, head: park.park.head }, 'chat is parked; reply filed behind it');
        return 'ack';
      }
      // The replay lifted the park just now, and may have sent this very letter (or part of it) before lifting.
      if (await deps.sent.wasSent(outbound.id)) return 'ack';
      untried = false;
    }
    const { sendTimeoutMs, sendTimeoutMaxMs } = deps.policy;
    const timeoutMs = attemptTimeoutMs(hand.deliveries, sendTimeoutMs, sendTimeoutMaxMs);
    await sendAndRecord(deps, outbound, { timeoutMs, untried }, logger);
    return 'ack';
  } catch (error) {
    return notSent(deps, hand, error, logger);
  }
}

function notSent(deps: DeliverDeps, hand: ReplyInHand, error: unknown, logger: Logger): Outcome {
  const { outbound, deliveries } = hand;
  const ageMs = Date.now() - hand.storedAt;
  const cause = error instanceof Error ? error.message : String(error);
  // A reminder is the bot's initiative: to a customer who unsubscribed (or blocked the bot) it is
  // dropped and counted, not filed, and does not park the chat (nothing the customer said waits behind it).
  if (error instanceof DeliveryError && error.recipientGone && outbound.id.startsWith(REMINDER_REPLY_PREFIX)) {
    deps.onReminderDropped?.();
    logger.warn({ replyId: outbound.id }, 'reminder refused: the customer unsubscribed; dropped');
    return 'ack';
  }
  if (error instanceof DeliveryError && !error.retryable) {
    const messenger = CHANNEL_FEATURES[channelOf(outbound.chatId)].name;
    logger.error({ replyId: outbound.id, status: error.status, err: cause }, `reply refused by ${messenger} for good`);
    return { deadLetter: error.status === undefined ? cause : `${messenger} status ${error.status}: ${cause}` };
  }
  if (ageMs >= deps.policy.replyMaxAgeMs) {
    deps.onExpired();
    logger.error({ replyId: outbound.id, deliveries, ageMs, err: cause }, 'reply expired before it could be sent');
    return { deadLetter: `expired: not sent within ${deps.policy.replyMaxAgeMs} ms; last failure: ${cause}` };
  }
  logger.warn({ replyId: outbound.id, deliveries, ageMs, err: cause }, 'reply not sent; will retry');
  const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
  return retryAfterMs === undefined ? 'transient' : { retryAfterMs };
}
