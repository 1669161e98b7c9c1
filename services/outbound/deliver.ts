import type { OutboundReply } from '../../shared/reply.js';
import type { Logger } from '../../shared/logger.js';
import type { Outcome } from '../../shared/partitioned-consumer.js';
import { ViberApiError, type ViberApi } from '../../shared/viber/api.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import type { SentReplies } from './sent-replies.js';

export interface DeliverDeps {
  api: ViberApi;
  sender: ViberSender;
  sent: SentReplies;
  /** Called once the reply is sent and recorded; lets the fault tests stop outbound there. */
  onSent?: (step: 'sent') => void;
}

/**
 * Sends one reply once. A passing failure (rate limit, network, 5xx) goes back to the bus to be
 * tried again after a backoff, holding the chat's later replies behind it so the order stays; a
 * permanent one (the customer unsubscribed, bad data) is filed as a dead letter, not retried.
 */
export async function deliverReply(deps: DeliverDeps, outbound: OutboundReply, logger: Logger): Promise<Outcome> {
  if (await deps.sent.wasSent(outbound.id)) {
    logger.info({ replyId: outbound.id }, 'reply already sent; not sending it again');
    return 'ack';
  }
  try {
    await deps.api.sendMessage(renderViberMessage(outbound.reply, deps.sender, outbound.chatId));
  } catch (error) {
    if (error instanceof ViberApiError && !error.retryable) {
      logger.error({ replyId: outbound.id, status: error.status, err: error.message }, 'reply refused by Viber for good');
      return { deadLetter: `Viber status ${error.status}: ${error.message}` };
    }
    logger.warn({ replyId: outbound.id, err: error instanceof Error ? error.message : String(error) }, 'reply not sent; will retry');
    return 'retry';
  }
  // Sent: from here on a failure must not lead to sending it again, so recording is retried.
  await retryUntilDone(() => deps.sent.markSent(outbound.id), logger);
  deps.onSent?.('sent');
  logger.info({ replyId: outbound.id, kind: outbound.reply.kind }, 'reply sent');
  return 'ack';
}

/** Retries a small write through a short outage of the bus (about 30 s), then gives up loudly. */
async function retryUntilDone(write: () => Promise<void>, logger: Logger, attempts = 30): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts) throw error;
      logger.warn({ attempt, err: error instanceof Error ? error.message : String(error) }, 'could not record a sent reply yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
