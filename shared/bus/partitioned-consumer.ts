import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { consumerName, type StreamSpec } from './bus.js';
import { fileDeadLetter } from './dead-letters.js';
import type { Logger } from '../ops/logger.js';
import type { InfraConfig } from '../ops/config.js';

/**
 * What a handler tells the consumer to do with a message: done; try again later, at most
 * `maxDeliveries` times in all (a failure of our own); try again later for as long as it takes
 * (`transient`: a failure outside us that passes by itself, such as Viber being down; the handler
 * decides when the message is too old to keep trying), or after a delay the failing party named
 * (`retryAfterMs`: a rate limit's retry_after); or give up on it now (a permanent failure), which
 * files it as a dead letter with the reason.
 */
export type Outcome = 'ack' | 'retry' | 'transient' | { retryAfterMs: number } | { deadLetter: string };

/** Files a message the consumer gives up on; the consumer acknowledges it afterwards. */
export type DeadLetterFiler = (msg: JsMsg, reason: string) => Promise<void>;

export interface PartitionedConsumerOptions {
  js: JetStreamClient;
  stream: StreamSpec;
  group: string;
  /**
   * The partitions to pull; `maxDeliveries`: failed deliveries after which a message that keeps
   * asking for a `retry` becomes a dead letter; `retryBaseMs` / `retryMaxMs`: the first retry's
   * delay and the cap of the doubling; `ackWaitMs`: a message in hand is reported as still being
   * worked on well within it, so a long attempt is not delivered to another process meanwhile.
   */
  settings: Pick<InfraConfig, 'partitions' | 'maxDeliveries' | 'retryBaseMs' | 'ackWaitMs'> & { retryMaxMs?: number };
  logger: Logger;
  handle(msg: JsMsg): Promise<Outcome>;
  /** How a given-up message is filed; by default in DEAD_LETTERS under the group. */
  fileDeadLetter?: DeadLetterFiler;
  /** Told of each message filed as a dead letter (metrics). */
  onDeadLetter?: () => void;
}

/**
 * How long one pull request lives. The client notices a pull lost on the server side (the
 * consumer's leader died on a NATS cluster) after two missed heartbeats of half this, and pulls
 * again: at the default 30 s a partition would stall that long after a node dies.
 */
const PULL_EXPIRES_MS = 5_000;

/** Messages one pull asks for; the server still delivers them one at a time. */
const PULL_BATCH = 16;

export const DEFAULT_RETRY_MAX_MS = 30_000;

export interface RunningConsumer {
  /** Stops pulling, lets the messages in hand finish, and resolves when they have. */
  stop(): Promise<void>;
}

/**
 * Exponential from `baseMs`, capped at `maxMs`, with jitter so that many retries do not arrive
 * together. The cap is what keeps a long outage cheap: each waiting partition tries once per cap.
 */
export const backoffWithJitter = (deliveryCount: number, baseMs = 250, maxMs = DEFAULT_RETRY_MAX_MS): number => {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(deliveryCount - 1, 0), 30));
  return Math.round(delay / 2 + Math.random() * (delay / 2));
};

/**
 * Pulls every partition of a stream through the group's durable consumers, one loop each. The
 * server gives a partition's next message only after the previous one is acknowledged, so the
 * handler sees each chat's messages one at a time, in order.
 */
export async function consumePartitions(options: PartitionedConsumerOptions): Promise<RunningConsumer> {
  const { js, stream, group, logger, handle } = options;
  const { partitions, maxDeliveries, retryBaseMs, ackWaitMs, retryMaxMs = DEFAULT_RETRY_MAX_MS } = options.settings;
  const fileInGroup: DeadLetterFiler = async (msg, reason) => {
    await fileDeadLetter(js, msg, group, reason, msg.info.deliveryCount);
  };
  const file = options.fileDeadLetter ?? fileInGroup;

  /** Files the message, then acknowledges it: nothing is dropped unseen. */
  async function bury(msg: JsMsg, reason: string) {
    await file(msg, reason);
    await msg.ackAck();
    options.onDeadLetter?.();
    const deliveries = msg.info.deliveryCount;
    logger.error({ group, subject: msg.subject, seq: msg.seq, deliveries, reason }, 'message filed as a dead letter');
  }

  /** The handler's outcome; while it runs, the server is told the message is still in hand. */
  async function handled(msg: JsMsg, partition: number): Promise<{ outcome: Outcome; failure: string }> {
    const heartbeat = setInterval(() => msg.working(), Math.max(500, ackWaitMs / 3));
    try {
      return { outcome: await handle(msg), failure: 'the handler asked for a retry' };
    } catch (error) {
      const deliveries = msg.info.deliveryCount;
      logger.error({ err: error, partition, seq: msg.seq, deliveries }, 'handler failed; will retry');
      return { outcome: 'retry', failure: error instanceof Error ? error.message : String(error) };
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function settle(msg: JsMsg, outcome: Outcome, failure: string) {
    const deliveries = msg.info.deliveryCount;
    // Not ackAck: the server delivers the partition's next message only once it has the ack anyway,
    // and an ack lost on the way brings the message back, which the handlers treat as a repeat.
    if (outcome === 'ack') msg.ack();
    else if (typeof outcome === 'object' && 'retryAfterMs' in outcome) msg.nak(outcome.retryAfterMs);
    else if (typeof outcome === 'object') await bury(msg, outcome.deadLetter);
    else if (outcome === 'retry' && deliveries >= maxDeliveries) {
      await bury(msg, `gave up after ${deliveries} deliveries: ${failure}`);
    }
    // The delay keeps the message pending, so the partition waits behind it: the order holds.
    else msg.nak(backoffWithJitter(deliveries, retryBaseMs, retryMaxMs));
  }

  const loops: Promise<void>[] = [];
  const subscriptions: ConsumerMessages[] = [];

  for (let partition = 0; partition < partitions; partition++) {
    const consumer = await js.consumers.get(stream.name, consumerName(group, partition));
    // The consumer's max_ack_pending of 1 is what keeps one message in hand; a pull asks for more so
    // that the next message comes on the same pull, not on a new pull request per message.
    const messages = await consumer.consume({ max_messages: PULL_BATCH, expires: PULL_EXPIRES_MS });
    subscriptions.push(messages);
    loops.push(
      (async () => {
        for await (const msg of messages) {
          const { outcome, failure } = await handled(msg, partition);
          try {
            await settle(msg, outcome, failure);
          } catch (error) {
            // The bus is unreachable: the message stays pending and comes again after ack_wait.
            logger.warn({ err: error, partition, seq: msg.seq }, 'could not settle the message; it will come again');
          }
        }
      })(),
    );
  }

  return {
    async stop() {
      // close() stops pulling; the loops end after the message each one is handling.
      await Promise.all(subscriptions.map((messages) => messages.close()));
      await Promise.all(loops);
    },
  };
}
