import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { ChatEvent } from '../contracts/chat-event.js';
import type { OutboundReply } from '../contracts/reply.js';
import {
  busHeaders,
  ensurePartitionConsumer,
  ensureStream,
  Headers,
  partitionOf,
  partitionSubject,
  Streams,
} from './bus.js';

/** The consumer groups: every worker process shares `worker`, every outbound process `outbound`. */
export const Groups = { Worker: 'worker', Outbound: 'outbound' } as const;

export interface Topology {
  partitions: number;
  replicas: number;
  /** How long a worker or outbound may hold a message before another process gets it. */
  ackWaitMs: number;
}

/**
 * Streams and outbound's consumers, created or updated idempotently by whichever service starts
 * first. The workers' consumers are not made here: each partition's owner makes its own for its
 * ownership term (services/worker/ownership).
 */
export async function ensureTopology(jsm: JetStreamManager, topology: Topology): Promise<void> {
  await ensureStream(jsm, Streams.Events, topology);
  await ensureStream(jsm, Streams.Replies, topology);
  await ensureStream(jsm, Streams.DeadLetters, topology);
  for (let partition = 0; partition < topology.partitions; partition++) {
    await ensurePartitionConsumer(jsm, Streams.Replies, Groups.Outbound, partition, topology);
  }
}

const encoder = new TextEncoder();

/** The correlation id a chat event or reply was published under; one made of its sequence if it has none. */
export const correlationIdOf = (msg: JsMsg): string => msg.headers?.get(Headers.CorrelationId) || `seq-${msg.seq}`;

/**
 * Publishes a chat event and resolves once JetStream has stored it. The channel's event id is the
 * message id, so a callback Viber sends again is stored once.
 */
export async function publishChatEvent(
  js: JetStreamClient,
  partitions: number,
  event: ChatEvent,
  correlationId: string,
): Promise<{ duplicate: boolean }> {
  const ack = await js.publish(
    partitionSubject(Streams.Events, partitionOf(event.chatId, partitions)),
    encoder.encode(JSON.stringify(event)),
    {
      msgID: `${event.channel}:${event.id}`,
      headers: busHeaders({ [Headers.CorrelationId]: correlationId }),
    },
  );
  return { duplicate: ack.duplicate };
}

/** Publishes a turn's replies in order (one connection keeps them in order); each id is stored once. */
export async function publishReplies(
  js: JetStreamClient,
  partitions: number,
  replies: OutboundReply[],
  correlationId: string,
): Promise<void> {
  await Promise.all(
    replies.map((reply) =>
      js.publish(
        partitionSubject(Streams.Replies, partitionOf(reply.chatId, partitions)),
        encoder.encode(JSON.stringify(reply)),
        {
          msgID: reply.id,
          headers: busHeaders({ [Headers.CorrelationId]: correlationId }),
        },
      ),
    ),
  );
}
