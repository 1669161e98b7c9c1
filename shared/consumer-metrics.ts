import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import { Counter, Gauge, type Registry } from 'prom-client';
import { consumerName, Streams, type StreamSpec } from './bus.js';
import { withTimeout } from './with-timeout.js';

export interface ConsumerMetricsOptions {
  jsm: JetStreamManager;
  stream: StreamSpec;
  group: string;
  partitions: number;
  /** A scrape must not hang on a bus that does not answer. */
  timeoutMs?: number;
}

export interface ConsumerMetrics {
  /** Counts a message this process filed as a dead letter. */
  deadLettered(): void;
}

/**
 * The backlog of the group's partition consumers and its dead letters, read from JetStream at
 * scrape time. The consumers are shared by every process of the group, so all of them report the
 * same values: aggregate with max(), not sum().
 */
export function registerConsumerMetrics(registry: Registry, options: ConsumerMetricsOptions): ConsumerMetrics {
  const { jsm, stream, group, partitions, timeoutMs = 2_000 } = options;
  const labelNames = ['group', 'partition'] as const;

  // The gauges are collected concurrently within a scrape: they share the round in flight, and the
  // next scrape reads afresh.
  let inFlight: Promise<(ConsumerInfo | undefined)[]> | undefined;
  const consumerInfos = () => {
    inFlight ??= Promise.all(
      Array.from({ length: partitions }, (_, partition) =>
        // A partition that does not answer is left out of this scrape rather than failing it.
        withTimeout(jsm.consumers.info(stream.name, consumerName(group, partition)), timeoutMs, 'consumer info').catch(() => undefined),
      ),
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
        infos.forEach((info, partition) => info && this.set({ group, partition: String(partition) }, read(info)));
      },
    });
  consumerGauge('energobot_consumer_pending_messages', 'Messages of the partition not yet delivered to the group', (info) => info.num_pending);
  consumerGauge('energobot_consumer_ack_pending_messages', 'Messages of the partition delivered and not yet acknowledged (at most 1)', (info) => info.num_ack_pending);
  consumerGauge('energobot_consumer_redelivered_messages', 'Messages of the partition being delivered again (a process died or asked for a retry)', (info) => info.num_redelivered);

  new Gauge({
    name: 'energobot_dead_letters_stored',
    help: 'Dead letters of the group in the DEAD_LETTERS stream now (replayed ones stay until the stream ages them out)',
    labelNames: ['group'],
    registers: [registry],
    async collect() {
      const subject = `${Streams.DeadLetters.subject}.${group}`;
      try {
        const info = await withTimeout(jsm.streams.info(Streams.DeadLetters.name, { subjects_filter: subject }), timeoutMs, 'dead letters info');
        this.set({ group }, info.state.subjects?.[subject] ?? 0);
      } catch {
        this.reset();
      }
    },
  });

  const filed = new Counter({ name: 'energobot_dead_letters_total', help: 'Messages this process filed as dead letters', labelNames: ['group'], registers: [registry] });
  filed.inc({ group }, 0);
  return { deadLettered: () => filed.inc({ group }) };
}
