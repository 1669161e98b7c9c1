import { connect, headers, nanos, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type ConsumerConfig,
  type ConsumerUpdateConfig,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { Logger } from '../ops/logger.js';

/**
 * The bus: two JetStream streams, each split into partitions. A chat always hashes to the same
 * partition, and each partition has one durable consumer that hands out one message at a time
 * (max_ack_pending 1), so a chat's events and replies are handled strictly in order however many
 * worker or outbound processes pull from it.
 */
export const Streams = {
  Events: { name: 'CHAT_EVENTS', subject: 'chat.events' },
  Replies: { name: 'CHAT_REPLIES', subject: 'chat.replies' },
  /** Messages a group gave up on, kept for people to read and replay (`npm run replay-dead-letters`). */
  DeadLetters: { name: 'DEAD_LETTERS', subject: 'dead' },
  /** The daily reminder tick, produced by a cron schedule kept in the stream itself (shared/bus/reminder-bus.ts). */
  Reminders: { name: 'REMINDERS', subject: 'reminders' },
} as const;
export type StreamSpec = (typeof Streams)[keyof typeof Streams];

export const Headers = {
  CorrelationId: 'Correlation-Id',
  /** On a dead letter: where it came from, why it died, after how many deliveries. */
  OriginalSubject: 'Original-Subject',
  OriginalSequence: 'Original-Sequence',
  DeathReason: 'Death-Reason',
  Deliveries: 'Deliveries',
} as const;

/** Viber resends an unanswered callback for about an hour, so duplicates are remembered that long. */
export const DUPLICATE_WINDOW_MS = 60 * 60 * 1000;
const STREAM_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * The replies a long Viber outage piles up are bounded on disk, so that they can never fill the
 * NATS servers' storage and stop the events too. 2 GiB is about two million replies (about 1 KB
 * each): days of a regional retailer's traffic. When it is reached the oldest replies go first
 * (discard old): normally ones delivered days ago; only a backlog that fills it alone would lose
 * its oldest undelivered replies, long after they expired (REPLY_MAX_AGE_MS). JetStream reserves
 * the bytes when the stream is made: the servers need that much free store (README, Outages).
 */
const STREAM_MAX_BYTES: Partial<Record<string, number>> = { [Streams.Replies.name]: 2 * 1024 ** 3 };
/**
 * Streams that hold JetStream message schedules (ADR-51, nats-server >= 2.12): the chats' durable
 * timers live in CHAT_EVENTS, so that a timer fires into its chat's partition, in order with the
 * customer's events (shared/bus/timers.ts); the reminder cron lives in REMINDERS, which has no
 * max_age, so the stored schedule is never aged out. Schedules need roll-ups (one schedule per
 * subject). A stream made by the previous version gets the flags by update (the server allows
 * turning schedules on, never off).
 */
const STREAM_EXTRAS: Partial<Record<string, Partial<StreamConfig>>> = {
  [Streams.Events.name]: { allow_msg_schedules: true, allow_rollup_hdrs: true },
  [Streams.Reminders.name]: {
    allow_msg_schedules: true,
    allow_rollup_hdrs: true,
    max_age: 0,
    max_msgs_per_subject: 100,
  },
};
/** JetStream's error code for a stream that exists with another configuration. */
const STREAM_NAME_IN_USE = 10058;
/** JetStream's error code for a durable consumer that exists with another configuration. */
const CONSUMER_EXISTS = 10148;

/** FNV-1a: stable across processes and languages, cheap, and spreads Viber's ids evenly. */
export function partitionOf(chatId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < chatId.length; i++) {
    hash ^= chatId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

export const partitionSubject = (stream: StreamSpec, partition: number) => `${stream.subject}.${partition}`;

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

export async function connectBus(url: string, name: string, logger: Logger): Promise<Bus> {
  const nc = await connect({
    servers: url.split(','),
    name,
    // Keep trying for ever: a restarted nats-server must not need a restarted service.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    // Otherwise every request (each publish, ack and KV read) builds an Error up front for the
    // stack trace a timeout would carry: 5–10 % of a service's CPU in the bench's profiles.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        logger.warn(
          { nats: status.type, server: 'server' in status ? status.server : undefined },
          'nats connection status',
        );
      }
    }
  })();
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    js: jetstream(nc),
    jsm,
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

export interface StreamOptions {
  replicas: number;
}

/** Creates or updates a stream: every service calls this at boot, so the first to start sets the bus up. */
export async function ensureStream(jsm: JetStreamManager, stream: StreamSpec, options: StreamOptions): Promise<void> {
  const config: Partial<StreamConfig> & { name: string } = {
    name: stream.name,
    subjects: [`${stream.subject}.>`],
    storage: StorageType.File,
    num_replicas: options.replicas,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: nanos(STREAM_MAX_AGE_MS),
    max_bytes: STREAM_MAX_BYTES[stream.name] ?? -1,
    discard: DiscardPolicy.Old,
    ...STREAM_EXTRAS[stream.name],
  };
  try {
    // Adding an existing stream with the same configuration is a no-op, so concurrent boots agree.
    await jsm.streams.add(config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NAME_IN_USE) throw error;
    await jsm.streams.update(stream.name, config);
  }
}

export interface PartitionConsumerOptions {
  /** How long a message may stay unacknowledged before another process gets it. */
  ackWaitMs: number;
}

export const consumerName = (group: string, partition: number) => `${group}-p${partition}`;

/** One durable per partition, shared by every process of the group, one message in flight at a time. */
export async function ensurePartitionConsumer(
  jsm: JetStreamManager,
  stream: StreamSpec,
  group: string,
  partition: number,
  options: PartitionConsumerOptions,
): Promise<string> {
  const name = consumerName(group, partition);
  const settings = { ack_wait: nanos(options.ackWaitMs), max_ack_pending: 1, max_deliver: -1 };
  const config = {
    durable_name: name,
    filter_subject: partitionSubject(stream, partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ...settings,
  };
  await ensureDurable(jsm, stream.name, config, settings);
  return name;
}

/**
 * Makes a durable consumer; when it exists with other settings (ACK_WAIT_MS changed in a new
 * deployment), it takes the new values of `changeable`, the settings a consumer may change.
 */
export async function ensureDurable(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
  changeable: Partial<ConsumerUpdateConfig>,
): Promise<void> {
  try {
    await jsm.consumers.add(stream, config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== CONSUMER_EXISTS) throw error;
    await jsm.consumers.update(stream, config.durable_name, changeable);
  }
}

export function busHeaders(values: Record<string, string>): MsgHdrs {
  const h = headers();
  for (const [key, value] of Object.entries(values)) h.set(key, value);
  return h;
}
