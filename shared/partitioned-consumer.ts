import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { consumerName, type StreamSpec } from './bus.js';
import { fileDeadLetter } from './dead-letters.js';
import type { Logger } from './logger.js';
import type { InfraConfig } from './config.js';

/**
 * What a handler tells the consumer to do with a message: done; try again later; or give up on it
 * now (a permanent failure), which files it as a dead letter with the reason.
 */
export type Outcome = 'ack' | 'retry' | { deadLetter: string };

export interface PartitionedConsumerOptions {
  js: JetStreamClient;
  stream: StreamSpec;
  group: string;
  /**
   * The partitions to pull; `maxDeliveries`: failed deliveries after which a message becomes a dead
   * letter, so it stops holding its partition; `retryBaseMs`: the first retry's delay.
   */
  settings: Pick<InfraConfig, 'partitions' | 'maxDeliveries' | 'retryBaseMs'>;
  logger: Logger;
  handle(msg: JsMsg): Promise<Outcome>;
  /** Told of each message filed as a dead letter (metrics). */
  onDeadLetter?: () => void;
}

/**
 * How long one pull request lives. The client notices a pull lost on the server side (the
 * consumer's leader died on a NATS cluster) after two missed heartbeats of half this, and pulls
 * again: at the default 30 s a partition would stall that long after a node dies.
 */
const PULL_EXPIRES_MS = 5_000;

export interface RunningConsumer {
  /** Stops pulling, lets the messages in hand finish, and resolves when they have. */
  stop(): Promise<void>;
}

/** Exponential from `baseMs`, capped at 30 s, with jitter so that many retries do not arrive together. */
export const backoffWithJitter = (deliveryCount: number, baseMs = 250): number => {
  const delay = Math.min(30_000, baseMs * 2 ** Math.min(deliveryCount - 1, 10));
  return Math.round(delay / 2 + Math.random() * (delay / 2));
};

/**
 * Pulls every partition of a stream through the group's durable consumers, one loop each. The
 * server gives a partition's next message only after the previous one is acknowledged, so the
 * handler sees each chat's messages one at a time, in order.
 */
export async function consumePartitions(options: PartitionedConsumerOptions): Promise<RunningConsumer> {
  const { js, stream, group, logger, handle } = options;
  const { partitions, maxDeliveries, retryBaseMs } = options.settings;

  /** Files the message under DEAD_LETTERS, then acknowledges it: nothing is dropped unseen. */
  async function bury(msg: JsMsg, reason: string) {
    await fileDeadLetter(js, msg, group, reason, msg.info.deliveryCount);
    await msg.ackAck();
    options.onDeadLetter?.();
    logger.error({ group, subject: msg.subject, seq: msg.seq, deliveries: msg.info.deliveryCount, reason }, 'message filed as a dead letter');
  }
  const loops: Promise<void>[] = [];
  const subscriptions: ConsumerMessages[] = [];

  for (let partition = 0; partition < partitions; partition++) {
    const consumer = await js.consumers.get(stream.name, consumerName(group, partition));
    const messages = await consumer.consume({ max_messages: 1, expires: PULL_EXPIRES_MS });
    subscriptions.push(messages);
    loops.push(
      (async () => {
        for await (const msg of messages) {
          let outcome: Outcome;
          let failure = 'the handler asked for a retry';
          try {
            outcome = await handle(msg);
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
            logger.error({ err: error, partition, seq: msg.seq, deliveries: msg.info.deliveryCount }, 'handler failed; will retry');
            outcome = 'retry';
          }
          try {
            if (outcome === 'ack') await msg.ackAck();
            else if (outcome !== 'retry') await bury(msg, outcome.deadLetter);
            else if (msg.info.deliveryCount >= maxDeliveries) await bury(msg, `gave up after ${msg.info.deliveryCount} deliveries: ${failure}`);
            else msg.nak(backoffWithJitter(msg.info.deliveryCount, retryBaseMs));
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
