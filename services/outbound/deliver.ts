import type { OutboundReply } from '../../shared/reply.js';
import type { Logger } from '../../shared/logger.js';
import type { Outcome } from '../../shared/partitioned-consumer.js';
import { ViberApiError, type ViberApi } from '../../shared/viber/api.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';

export interface DeliverDeps {
  api: ViberApi;
  sender: ViberSender;
}

/**
 * Sends one reply. A passing failure (rate limit, network, 5xx) goes back to the bus to be tried
 * again after a backoff, holding the chat's later replies behind it so the order stays; a
 * permanent one (the customer unsubscribed, bad data) is logged and not retried.
 */
export async function deliverReply(deps: DeliverDeps, outbound: OutboundReply, logger: Logger): Promise<Outcome> {
  try {
    await deps.api.sendMessage(renderViberMessage(outbound.reply, deps.sender, outbound.chatId));
    logger.info({ replyId: outbound.id, kind: outbound.reply.kind }, 'reply sent');
    return 'ack';
  } catch (error) {
    if (error instanceof ViberApiError && !error.retryable) {
      logger.error({ replyId: outbound.id, status: error.status, err: error.message }, 'reply refused by Viber for good; not retried');
      return 'ack';
    }
    logger.warn({ replyId: outbound.id, err: error instanceof Error ? error.message : String(error) }, 'reply not sent; will retry');
    return 'retry';
  }
}
