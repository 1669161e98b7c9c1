import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { round } from './stats.js';
import { ProcessSampler, type WatchedProcess } from './proc-sampler.js';

/** CPU per message, in ms: of the client (this process) and of nats-server. */
export interface CpuPerMessage {
  clientMs: number;
  natsServerMs: number;
}

export interface JetStreamCeiling {
  messages: number;
  /** Async publishes, 256 awaited at a time, each stored on disk before its ack. */
  publishPerSecond: number;
  /** One pull consumer, batches of 256, `ack()` without waiting for the server's confirmation. */
  consumeBatchedPerSecond: number;
  /**
   * The pipeline's way per partition: `max_ack_pending: 1`, so the server hands out the next
   * message only after the last one's `ack()`; pulls of 16.
   */
  consumeOneAtATimePerSecond: number;
  oneAtATimeMessages: number;
  /**
   * What the bus alone costs per message, as the pipeline uses it: a publish awaiting its ack (as
   * ingress, the workers and outbound's sent records do), and a delivery one at a time with its ack
   * (as each partition of the workers and of outbound does). Absent without nats-server's pid.
   */
  cpu?: { publish: CpuPerMessage; consumeOneAtATime: CpuPerMessage };
}

const STREAM = 'BENCH_RAW';
const SUBJECT = 'bench.raw';
const PUBLISH_WINDOW = 256;

/** CPU of this process and of nats-server over `run`, per message. */
async function cpuPerMessage<T>(
  natsServer: WatchedProcess | undefined,
  messages: number,
  run: () => Promise<T>,
): Promise<{ result: T; cpu?: CpuPerMessage }> {
  if (!natsServer) return { result: await run() };
  const sampler = new ProcessSampler([{ name: 'client', pid: process.pid }, natsServer]);
  sampler.start();
  const result = await run();
  const [client, server] = sampler.stop();
  const perMessage = (seconds: number) => round((seconds * 1000) / messages, 3);
  return { result, cpu: { clientMs: perMessage(client!.cpuSeconds), natsServerMs: perMessage(server!.cpuSeconds) } };
}

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
  const messages = await consumer.consume({ max_messages: oneAtATime ? 16 : PUBLISH_WINDOW });
  let received = 0;
  for await (const msg of messages) {
    msg.ack();
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
export async function measureJetStream(
  natsUrl: string,
  messages: number,
  natsServer?: WatchedProcess,
): Promise<JetStreamCeiling> {
  const nc = await connect({ servers: natsUrl.split(','), noAsyncTraces: true });
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
    const publish = await cpuPerMessage(natsServer, messages, () => publishAll(js, messages, payload));

    await jsm.consumers.add(STREAM, { durable_name: 'batched', ack_policy: AckPolicy.Explicit });
    const consumeBatchedPerSecond = await consumeAll(js, 'batched', messages, false);

    const oneAtATimeMessages = Math.min(messages, 5_000);
    await jsm.consumers.add(STREAM, {
      durable_name: 'one-at-a-time',
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: 1,
    });
    const oneAtATime = await cpuPerMessage(natsServer, oneAtATimeMessages, () =>
      consumeAll(js, 'one-at-a-time', oneAtATimeMessages, true),
    );

    await jsm.streams.delete(STREAM);
    const consumeOneAtATimePerSecond = oneAtATime.result;
    return {
      messages,
      publishPerSecond: round(publish.result),
      consumeBatchedPerSecond: round(consumeBatchedPerSecond),
      consumeOneAtATimePerSecond: round(consumeOneAtATimePerSecond),
      oneAtATimeMessages,
      ...(publish.cpu && oneAtATime.cpu ? { cpu: { publish: publish.cpu, consumeOneAtATime: oneAtATime.cpu } } : {}),
    };
  } finally {
    await nc.close();
  }
}
