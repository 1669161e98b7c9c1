import type { JetStreamManager } from '@nats-io/jetstream';
import { Streams } from '../../../shared/bus/bus.js';
import type { ChatActors } from '../actors/chat-actors.js';
import { takeOverPartitionConsumer, type Lease, type OwnershipOptions } from '../ownership/index.js';
import { consumeOwnedPartition, type OwnedPartition, type OwnedPartitionOptions } from './owned-partition.js';

export type PartitionHostOptions = Omit<
  OwnedPartitionOptions,
  'partition' | 'consumerName' | 'enqueue' | 'drain' | 'forget'
> & {
  jsm: JetStreamManager;
  actors: ChatActors;
};

export type PartitionCallbacks = Pick<OwnershipOptions, 'onGained' | 'onReleasing' | 'onLost'>;

/**
 * What a worker does when ownership moves: on a lease won, it takes over the partition's consumer
 * for the new term and starts feeding its chats' mailboxes; on a lease given up, it drains the
 * partition first; on a lease lost, it stops at once and forgets the partition's actors.
 */
export interface PartitionHost extends PartitionCallbacks {
  lease(partition: number): Lease | undefined;
  /** The partitions being consumed and their consumers for this term. */
  consumers(): { partition: number; name: string }[];
}

export function partitionHost(options: PartitionHostOptions): PartitionHost {
  const { actors, logger } = options;
  const leases = new Map<number, Lease>();
  const running = new Map<number, OwnedPartition>();
  const consumerNames = new Map<number, string>();

  return {
    lease: (partition) => leases.get(partition),
    consumers: () => [...consumerNames].map(([partition, name]) => ({ partition, name })),

    async onGained(lease) {
      // Known before the first message arrives: the chats' fences check this lease.
      leases.set(lease.partition, lease);
      const consumerName = await takeOverPartitionConsumer(options.jsm, {
        stream: Streams.Events,
        group: options.group,
        partition: lease.partition,
        token: lease.token,
        ackWaitMs: options.settings.ackWaitMs,
        maxAckPending: options.settings.inFlight,
      });
      const owned = await consumeOwnedPartition({
        ...options,
        partition: lease.partition,
        consumerName,
        enqueue: (chatId, job) => actors.enqueue(chatId, lease.partition, job),
        drain: async () => {
          await actors.drained(lease.partition);
          actors.forgetPartition(lease.partition);
        },
        forget: () => actors.forgetPartition(lease.partition),
      });
      running.set(lease.partition, owned);
      consumerNames.set(lease.partition, consumerName);
      logger.info({ partition: lease.partition, term: lease.token }, 'partition gained');
    },

    async onReleasing(lease) {
      const current = running.get(lease.partition);
      running.delete(lease.partition);
      consumerNames.delete(lease.partition);
      await current?.release();
      leases.delete(lease.partition);
      logger.info({ partition: lease.partition, term: lease.token }, 'partition released');
    },

    onLost(lease, reason) {
      const current = running.get(lease.partition);
      running.delete(lease.partition);
      consumerNames.delete(lease.partition);
      leases.delete(lease.partition);
      current?.abandon();
      logger.warn({ partition: lease.partition, term: lease.token, reason }, 'partition lost');
    },
  };
}
