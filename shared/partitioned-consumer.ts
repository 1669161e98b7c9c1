import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { consumerName, type StreamSpec } from './bus.js';
import type { Logger } from './logger.js';

/** What a handler tells the consumer to do with a message. */
export type Outcome = 'ack' | 'retry' | 'drop';

export interface PartitionedConsumerOptions {
  js: JetStreamClient;
  stream: StreamSpec;
  group: string;
  partitions: number;
  logger: Logger;
  handle(msg: JsMsg): Promise<Outcome>;
  /** Delay before a failed message is offered again, by delivery count. */
  retryDelayMs?: (deliveryCount: number) => number;
}

export interface RunningConsumer {
  /** Stops pulling, lets the messages in hand finish, and resolves when they have. */
  stop(): Promise<void>;
}

/** Exponential, capped at 30 s, with jitter so that many retries do not arrive together. */
export const backoffWithJitter = (deliveryCount: number): number => {
  const base = Math.min(30_000, 250 * 2 ** Math.min(deliveryCount - 1, 7));
  return Math.round(base / 2 + Math.random() * (base / 2));
};

/**
 * Pulls every partition of a stream through the group's durable consumers, one loop each. The
 * server gives a partition's next message only after the previous one is acknowledged, so the
 * handler sees each chat's messages one at a time, in order.
 */
export async function consumePartitions(options: PartitionedConsumerOptions): Promise<RunningConsumer> {
  const { js, stream, group, partitions, logger, handle } = options;
  const retryDelay = options.retryDelayMs ?? backoffWithJitter;
  const loops: Promise<void>[] = [];
  const subscriptions: ConsumerMessages[] = [];

  for (let partition = 0; partition < partitions; partition++) {
    const consumer = await js.consumers.get(stream.name, consumerName(group, partition));
    const messages = await consumer.consume({ max_messages: 1 });
    subscriptions.push(messages);
    loops.push(
      (async () => {
        for await (const msg of messages) {
          let outcome: Outcome;
          try {
            outcome = await handle(msg);
          } catch (error) {
            logger.error({ err: error, partition, seq: msg.seq, deliveries: msg.info.deliveryCount }, 'handler failed; will retry');
            outcome = 'retry';
          }
          if (outcome === 'ack') await msg.ackAck().catch((error) => logger.warn({ err: error }, 'ack not confirmed; the message will come again'));
          else if (outcome === 'retry') msg.nak(retryDelay(msg.info.deliveryCount));
          else msg.term('dropped by handler');
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
