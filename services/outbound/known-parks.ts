import { dropOldest, touch } from '../../shared/ops/bounded-map.js';
import type { ParkEntry } from '../../shared/ports/parked-chats.js';

/** Chats whose park (or its absence) one partition's run remembers. */
const REMEMBERED_PER_PARTITION = 4_096;

interface Run {
  /** The consumer's delivery sequence of the last reply this process was handed. */
  lastDelivery: number;
  parks: Map<string, ParkEntry | null>;
}

/**
 * What this process learned of its chats' parks while it alone took a partition's replies, so that
 * a chat's later replies need no bus round trip to ask whether it is parked.
 *
 * Why that is safe: a chat is parked only by the process holding one of its replies (which files
 * it, parks, then acknowledges), and a partition's consumer hands out one reply at a time. The
 * consumer numbers its deliveries, redeliveries included (nats-server increments the delivery
 * sequence on each, and on a cluster replicates it before the message leaves). So while each
 * delivery this process is handed is numbered one after the last it was handed, no other process
 * held a reply of the partition in between, and a park read once still holds until this process
 * parks the chat itself. The replay of letters only lifts parks, which filing behind notices (the
 * park is gone: the reply is sent). Any gap (another process took a delivery, this one restarted,
 * the consumer was made again) forgets what the run learned.
 */
export class KnownParks {
  private readonly runs = new Map<string, Run>();

  /** Notes a delivery to this process; one that does not follow the last without a gap starts a new run. */
  delivered(consumer: string, deliverySequence: number): void {
    const run = this.runs.get(consumer);
    if (run && deliverySequence === run.lastDelivery + 1) run.lastDelivery = deliverySequence;
    else this.runs.set(consumer, { lastDelivery: deliverySequence, parks: new Map() });
  }

  /** The chat's park as read in this run (null: not parked), or undefined when it must be read. */
  get(consumer: string, chatId: string): ParkEntry | null | undefined {
    return this.runs.get(consumer)?.parks.get(chatId);
  }

  remember(consumer: string, chatId: string, entry: ParkEntry | null): void {
    const parks = this.runs.get(consumer)?.parks;
    if (!parks) return;
    touch(parks, chatId, entry);
    dropOldest(parks, REMEMBERED_PER_PARTITION);
  }

  /** This process changed the chat's park (parked it, or found it lifted): read it afresh next time. */
  forget(consumer: string, chatId: string): void {
    this.runs.get(consumer)?.parks.delete(chatId);
  }
}
