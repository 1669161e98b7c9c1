import type { Logger } from '../../shared/ops/logger.js';
import type { OutboundReply } from '../../shared/contracts/reply.js';
import type { SendAttempt, SendReply } from '../../shared/ports/channel-delivery.js';
import type { SentReplies } from '../../shared/ports/sent-replies.js';

export interface ReplySenderDeps {
  send: SendReply;
  sent: SentReplies;
  /** Called once the reply is sent and recorded; lets the fault tests stop outbound there. */
  onSent?: (step: 'sent') => void;
}

/**
 * Sends a reply and records that it was sent: what outbound does for each reply and what the
 * replay of dead letters does for each letter. Throws a DeliveryError when it was not sent.
 */
export async function sendAndRecord(
  deps: ReplySenderDeps,
  outbound: OutboundReply,
  attempt: SendAttempt,
  logger: Logger,
): Promise<void> {
  await deps.send(outbound, attempt);
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
