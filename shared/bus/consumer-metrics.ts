import type { ConsumerInfo, JetStreamManager, MsgRequest } from '@nats-io/jetstream';
import { Counter, Gauge, type Registry } from 'prom-client';
import { consumerName, Streams, type StreamSpec } from './bus.js';
import { deadLetterSubject } from './dead-letters.js';
import { withTimeout } from '../ops/with-timeout.js';

export interface ConsumerMetricsOptions {
  jsm: JetStreamManager;
  stream: StreamSpec;
  group: string;
  /** The partitions to report and their consumers' names, read at each scrape. */
  consumers(): { partition: number; name: string }[];
  /** A scrape must not hang on a bus that does not answer. */
  timeoutMs?: number;
}

export interface ConsumerMetrics {
  /** Counts a message this process filed as a dead letter. */
  deadLettered(): void;
}

/** Every partition's shared consumer: what each process of a group that pulls them all reports. */
export const sharedConsumers = (group: string, partitions: number) => () =>
  Array.from({ length: partitions }, (_, partition) => ({ partition, name: consumerName(group, partition) }));

/**
 * Seconds since the stream stored the partition's first unacknowledged message: the one right after
 * the acknowledged floor, in the consumer's subject. 0 when nothing waits; undefined when unknown.
 */
async function oldestUnackedAge(
  jsm: JetStreamManager,
  stream: StreamSpec,
  info: ConsumerInfo,
  timeoutMs: number,
): Promise<number | undefined> {
  if (info.num_pending + info.num_ack_pending === 0) return 0;
  const subject = info.config.filter_subject;
  if (!subject) return undefined;
  // The server answers "the next message on this subject from seq"; the client's type omits it.
  const query = { seq: info.ack_floor.stream_seq + 1, next_by_subj: subject } as unknown as MsgRequest;
  const lookup = withTimeout(jsm.streams.getMessage(stream.name, query), timeoutMs, 'oldest message');
  const first = await lookup.catch(() => null);
  return first ? Math.max(0, (Date.now() - first.time.getTime()) / 1000) : undefined;
}

/**
 * The backlog of the group's partition consumers and its dead letters, read from JetStream at
 * scrape time. Outbound's consumers are shared by every outbound process, so all of them report the
 * same values (aggregate with max()); a worker reports the partitions it owns (aggregate with sum()).
 */
export function registerConsumerMetrics(registry: Registry, options: ConsumerMetricsOptions): ConsumerMetrics {
  const { jsm, stream, group, timeoutMs = 2_000 } = options;
  const labelNames = ['group', 'partition'] as const;

  // The gauges are collected concurrently within a scrape: they share the round in flight, and the
  // next scrape reads afresh.
  let inFlight: Promise<{ partition: number; info?: ConsumerInfo }[]> | undefined;
  const consumerInfos = () => {
    inFlight ??= Promise.all(
      options.consumers().map(async ({ partition, name }) => ({
        partition,
        // A partition that does not answer is left out of this scrape rather than failing it.
        info: await withTimeout(jsm.consumers.info(stream.name, name), timeoutMs, 'consumer info').catch(
          () => undefined,
        ),
      })),
    ).finally(() => (inFlight = undefined));
    return inFlight;
  };

  const consumerGauge = (name: string, help: string, read: (info: ConsumerInfo) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const infos = await consumerInfos();
        this.reset();
        for (const { partition, info } of infos)
          if (info) this.set({ group, partition: String(partition) }, read(info));
      },
    });
  new Gauge({
    name: 'energobot_consumer_oldest_unacked_age_seconds',
    help: 'Age of the first message of the partition the group has not acknowledged yet (0 when none): how late it is',
    labelNames,
    registers: [registry],
    async collect() {
      const infos = await consumerInfos();
      const ageOf = (info?: ConsumerInfo) => (info ? oldestUnackedAge(jsm, stream, info, timeoutMs) : undefined);
      const ages = await Promise.all(infos.map(async ({ partition, info }) => ({ partition, age: await ageOf(info) })));
      this.reset();
      for (const { partition, age } of ages) {
        if (age !== undefined) this.set({ group, partition: String(partition) }, age);
      }
    },
  });
  consumerGauge(
    'energobot_consumer_pending_messages',
    'Messages of the partition not yet delivered to the group',
    (info) => info.num_pending,
  );
  consumerGauge(
    'energobot_consumer_ack_pending_messages',
    'Messages of the partition delivered and not yet acknowledged',
    (info) => info.num_ack_pending,
  );
  consumerGauge(
    'energobot_consumer_redelivered_messages',
    'Messages of the partition being delivered again (a process died or asked for a retry)',
    (info) => info.num_redelivered,
  );

  new Gauge({
    name: 'energobot_dead_letters_stored',
    help:
      'Dead letters of the group in the DEAD_LETTERS stream now ' +
      '(replayed ones stay until the stream ages them out)',
    labelNames: ['group'],
    registers: [registry],
    async collect() {
      const subject = deadLetterSubject(group);
      try {
        const info = await withTimeout(
          jsm.streams.info(Streams.DeadLetters.name, { subjects_filter: subject }),
          timeoutMs,
          'dead letters info',
        );
        this.set({ group }, info.state.subjects?.[subject] ?? 0);
      } catch {
        this.reset();
      }
    },
  });

  const filed = new Counter({
    name: 'energobot_dead_letters_total',
    help: 'Messages this process filed as dead letters',
    labelNames: ['group'],
    registers: [registry],
  });
  filed.inc({ group }, 0);
  return { deadLettered: () => filed.inc({ group }) };
}
