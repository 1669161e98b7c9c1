import { nanos } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { consumerName, partitionSubject, type StreamSpec } from '../../../shared/bus/bus.js';

export interface TakeOverOptions {
  stream: StreamSpec;
  group: string;
  partition: number;
  /** The lease's fencing token: the term this consumer serves. */
  token: number;
  ackWaitMs: number;
  maxAckPending: number;
}

/** The term a consumer of this partition serves: 0 for the legacy shared one, undefined if not ours. */
function termOf(name: string, group: string, partition: number): number | undefined {
  const legacy = consumerName(group, partition);
  if (name === legacy) return 0;
  const term = name.startsWith(`${legacy}-t`) ? name.slice(legacy.length + 2) : '';
  return /^\d+$/.test(term) ? Number(term) : undefined;
}

/**
 * Where a consumer's successor starts: after its ack floor (the last stream sequence up to which
 * everything matching its filter is acknowledged). A consumer that started at a sequence and has
 * acknowledged nothing yet reports that sequence − 1 (nats-server 2.14 does; taken anyway in case).
 */
function floorOf(info: ConsumerInfo): number {
  const { deliver_policy: policy, opt_start_seq: start } = info.config;
  return Math.max(info.ack_floor.stream_seq, policy === DeliverPolicy.StartSequence ? (start ?? 1) - 1 : 0);
}

/**
 * Takes over a partition's durable consumer for a new ownership term: one consumer per term,
 * `${group}-p${partition}-t${token}`, starting right after the highest ack floor of the partition's
 * earlier consumers, which are deleted. Why not reuse one durable: its unacknowledged message would
 * wait for the dead owner's ack_wait before coming again, and a previous owner resumed after a pause
 * (SIGSTOP) could still acknowledge messages the new owner has not handled. With a consumer per term,
 * the new term gets the unacknowledged messages at once, in order, and late acks of an old term hit a
 * consumer that no longer exists. Messages acknowledged above the floor (out of order, when
 * maxAckPending > 1) come again: handling stays idempotent. Refuses when a later term's consumer
 * exists: then this term is already over, and deleting that consumer would stall its owner.
 */
export async function takeOverPartitionConsumer(jsm: JetStreamManager, options: TakeOverOptions): Promise<string> {
  const { stream, group, partition, token } = options;
  const name = `${consumerName(group, partition)}-t${token}`;
  const earlier: string[] = [];
  let floor = 0;
  for await (const info of jsm.consumers.list(stream.name)) {
    const term = termOf(info.name, group, partition);
    if (term === undefined) continue;
    if (term > token) {
      // Also what a recreated worker_ownership bucket (tokens start again at 1) would cause: then
      // delete the old term consumers, or the stream, with the bucket.
      throw new Error(`partition ${partition} already has a later term (${info.name}) than ${name}`);
    }
    earlier.push(info.name);
    floor = Math.max(floor, floorOf(info));
  }
  await Promise.all(
    earlier.map((consumer) =>
      jsm.consumers.delete(stream.name, consumer).catch((error: unknown) => {
        if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      }),
    ),
  );
  const start: Partial<ConsumerConfig> =
    floor > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 }
      : { deliver_policy: DeliverPolicy.All };
  await jsm.consumers.add(stream.name, {
    durable_name: name,
    filter_subject: partitionSubject(stream, partition),
    ack_policy: AckPolicy.Explicit,
    ...start,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: options.maxAckPending,
    max_deliver: -1,
  });
  return name;
}
