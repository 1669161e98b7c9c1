import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { round } from './stats.js';

export interface JetStreamCeiling {
  messages: number;
  /** Async publishes, 256 awaited at a time, each stored on disk before its ack. */
  publishPerSecond: number;
  /** One pull consumer, batches of 256, `ack()` without waiting for the server's confirmation. */
  consumeBatchedPerSecond: number;
  /** The pipeline's way per partition: `max_ack_pending: 1`, one message pulled at a time, `ackAck()` awaited. */
  consumeOneAtATimePerSecond: number;
  oneAtATimeMessages: number;
}

const STREAM = 'BENCH_RAW';
const SUBJECT = 'bench.raw';
const PUBLISH_WINDOW = 256;

async function publishAll(js: JetStreamClient, count: number, payload: Uint8Array): Promise<number> {
  const started = performance.now();
  for (let sent = 0; sent < count; sent += PUBLISH_WINDOW) {
    const batch = Math.min(PUBLISH_WINDOW, count - sent);
    await Promise.all(Array.from({ length: batch }, () => js.publish(SUBJECT, payload)));
  }
  return (count / (performance.now() - started)) * 1000;
}

async function consumeAll(
  js: JetStreamClient,
  consumerName: string,
  count: number,
  oneAtATime: boolean,
): Promise<number> {
  const consumer = await js.consumers.get(STREAM, consumerName);
  const started = performance.now();
  const messages = await consumer.consume({ max_messages: oneAtATime ? 1 : PUBLISH_WINDOW });
  let received = 0;
  for await (const msg of messages) {
    if (oneAtATime) await msg.ackAck();
    else msg.ack();
    if (++received >= count) break;
  }
  const rate = (count / (performance.now() - started)) * 1000;
  await messages.close();
  return rate;
}

/**
 * The bus on its own: how fast JetStream stores and hands out messages of a chat event's size on
 * this machine, in batches and one at a time as a partition of the pipeline does.
 */
export async function measureJetStream(natsUrl: string, messages: number): Promise<JetStreamCeiling> {
  const nc = await connect({ servers: natsUrl.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.delete(STREAM).catch(() => false);
    await jsm.streams.add({ name: STREAM, subjects: [SUBJECT] });
    // About the size of a chat event: ids, the text, the channel's fields.
    const payload = new TextEncoder().encode(
      JSON.stringify({
        id: '7123456789012345678',
        channel: 'viber',
        chatId: 'x'.repeat(24),
        kind: 'text',
        text: 'Сервисный центр',
        at: Date.now(),
        pad: 'p'.repeat(200),
      }),
    );
    const publishPerSecond = await publishAll(js, messages, payload);

    await jsm.consumers.add(STREAM, { durable_name: 'batched', ack_policy: AckPolicy.Explicit });
    const consumeBatchedPerSecond = await consumeAll(js, 'batched', messages, false);

    const oneAtATimeMessages = Math.min(messages, 5_000);
    await jsm.consumers.add(STREAM, {
      durable_name: 'one-at-a-time',
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: 1,
    });
    const consumeOneAtATimePerSecond = await consumeAll(js, 'one-at-a-time', oneAtATimeMessages, true);

    await jsm.streams.delete(STREAM);
    return {
      messages,
      publishPerSecond: round(publishPerSecond),
      consumeBatchedPerSecond: round(consumeBatchedPerSecond),
      consumeOneAtATimePerSecond: round(consumeOneAtATimePerSecond),
      oneAtATimeMessages,
    };
  } finally {
    await nc.close();
  }
}
