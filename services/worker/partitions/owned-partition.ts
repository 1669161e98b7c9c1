import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { Streams } from '../../../shared/bus/bus.js';
import { fileDeadLetter } from '../../../shared/bus/dead-letters.js';
import type { Logger } from '../../../shared/ops/logger.js';
import { backoffWithJitter } from '../../../shared/bus/partitioned-consumer.js';
import { NotOwner, type ChatActor } from '../actors/chat-actor.js';

export interface OwnedPartitionOptions {
  js: JetStreamClient;
  partition: number;
  /** The partition's consumer for this ownership term. */
  consumerName: string;
  group: string;
  settings: { maxDeliveries: number; retryBaseMs: number; ackWaitMs: number; inFlight: number };
  logger: Logger;
  /** The chat a message belongs to, or undefined when it cannot be read (filed as a dead letter). */
  chatOf(msg: JsMsg): string | undefined;
  /** Runs `job` in the chat's mailbox, after the chat's earlier messages, with the chat's actor. */
  enqueue(chatId: string, job: (actor: ChatActor) => Promise<void>): Promise<void>;
  /** Handles one message; throwing asks for a retry, NotOwner for none. */
  handle(msg: JsMsg, actor: ChatActor): Promise<void>;
  /** Waits for the partition's queued jobs, then drops its actors. */
  drain(): Promise<void>;
  forget(): void;
  onDeadLetter?(): void;
}

export interface OwnedPartition {
  /** Stops pulling, lets the turns in progress finish, and leaves the rest for the next owner. */
  release(): Promise<void>;
  /** Stops at once: the lease is gone, so nothing more may be saved or acknowledged. */
  abandon(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consumes one partition this worker owns. Messages are handed to their chats' mailboxes, so a
 * chat's events run one at a time and in order while other chats of the partition run alongside.
 * A failing event is retried here, holding its chat's later events behind it; one that keeps
 * failing is filed as a dead letter. Nothing is negatively acknowledged: what this term leaves
 * unacknowledged, the next term's consumer delivers again from the acknowledged floor.
 */
export async function consumeOwnedPartition(options: OwnedPartitionOptions): Promise<OwnedPartition> {
  const { js, partition, settings, logger } = options;
  const consumer = await js.consumers.get(Streams.Events.name, options.consumerName);
  const messages = await consumer.consume({ max_messages: settings.inFlight, expires: 5_000 });
  const held = new Set<JsMsg>();
  let closed = false;

  // A long turn (a slow billing call, a chat's queue behind it) must not look like a dead worker.
  const heartbeat = setInterval(() => held.forEach((msg) => msg.working()), Math.max(500, settings.ackWaitMs / 3));

  async function settleWithRetries(msg: JsMsg, actor: ChatActor): Promise<void> {
    for (let attempt = 1; !closed; attempt++) {
      try {
        await options.handle(msg, actor);
        msg.ack();
        return;
      } catch (error) {
        if (error instanceof NotOwner || closed) return;
        // Deliveries before this process (a worker that crashed on it) count as attempts too.
        const deliveries = attempt + msg.info.deliveryCount - 1;
        const reason = error instanceof Error ? error.message : String(error);
        if (deliveries >= settings.maxDeliveries)
          return bury(msg, `gave up after ${deliveries} deliveries: ${reason}`, deliveries);
        logger.error({ err: error, partition, seq: msg.seq, deliveries }, 'turn failed; will retry');
        await sleep(backoffWithJitter(deliveries, settings.retryBaseMs));
      }
    }
  }

  async function bury(msg: JsMsg, reason: string, deliveries: number) {
    await fileDeadLetter(js, msg, options.group, reason, deliveries);
    msg.ack();
    options.onDeadLetter?.();
    logger.error({ partition, seq: msg.seq, deliveries, reason }, 'message filed as a dead letter');
  }

  const loop = (async () => {
    for await (const msg of messages) {
      if (closed) break;
      const chatId = options.chatOf(msg);
      if (chatId === undefined) {
        await bury(msg, 'not a chat event', msg.info.deliveryCount).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not file a dead letter'),
        );
        continue;
      }
      held.add(msg);
      void options
        .enqueue(chatId, (actor) => settleWithRetries(msg, actor))
        .catch((error: unknown) => logger.error({ err: error, partition, seq: msg.seq }, 'message left for redelivery'))
        .finally(() => held.delete(msg));
    }
  })();

  const stopPulling = async () => {
    closed = true;
    clearInterval(heartbeat);
    await messages.close().catch(() => undefined);
    await loop.catch(() => undefined);
  };
  return {
    async release() {
      await stopPulling();
      await options.drain();
    },
    abandon() {
      void stopPulling();
      options.forget();
    },
  };
}
