import type { Logger } from '../../shared/ops/logger.js';
import type { OutboundReply } from '../../shared/contracts/reply.js';
import { ViberApiError } from '../../shared/ports/viber-api.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import type { ViberOutboundMessage } from '../../shared/viber/types.js';
import type { SentReplies } from '../../shared/ports/sent-replies.js';
import type { SendMessage } from './viber-send.js';

export interface ReplySenderDeps {
  send: SendMessage;
  sender: ViberSender;
  sent: SentReplies;
  /** Called once the reply is sent and recorded; lets the fault tests stop outbound there. */
  onSent?: (step: 'sent') => void;
}

/**
 * Renders a reply, sends it, and records that it was sent: what outbound does for each reply and
 * what the replay of dead letters does for each letter. Throws a ViberApiError when it was not
 * sent; a reply that cannot even be rendered is bad data, never worth retrying.
 */
export async function sendAndRecord(
  deps: ReplySenderDeps,
  outbound: OutboundReply,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  let message: ViberOutboundMessage;
  try {
    message = renderViberMessage(outbound.reply, deps.sender, outbound.chatId);
  } catch (error) {
    throw new ViberApiError(`bad data: ${error instanceof Error ? error.message : String(error)}`, undefined, false);
  }
  await deps.send(message, timeoutMs);
  // Sent: from here on a failure must not lead to sending it again, so recording is retried.
  await retryUntilDone(() => deps.sent.markSent(outbound.id), logger);
  deps.onSent?.('sent');
  logger.info({ replyId: outbound.id, kind: outbound.reply.kind }, 'reply sent');
}

/** Retries a small write through a short outage of the bus (about 30 s), then gives up loudly. */
async function retryUntilDone(write: () => Promise<void>, logger: Logger, attempts = 30): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts) throw error;
      const err = error instanceof Error ? error.message : String(error);
      logger.warn({ attempt, err }, 'could not record a sent reply yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
