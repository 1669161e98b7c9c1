import { ChatActor, type ChatActorDeps } from './chat-actor.js';
import { dropOldest, touch } from '../../../shared/ops/bounded-map.js';

export interface ChatActorsOptions {
  /** Live actors kept at most; the least recently used idle ones are passivated beyond it. */
  capacity: number;
  /** An actor idle this long is passivated (its state stays in the store). */
  idleMs: number;
  /** The dependencies of one chat's actor; `partition` lets the fence check that partition's lease. */
  depsFor(chatId: string, partition: number): ChatActorDeps;
}

interface Entry {
  actor: ChatActor;
  partition: number;
  /** The tail of the chat's mailbox: each job starts after the one before it settles. */
  tail: Promise<unknown>;
  queued: number;
  lastUsed: number;
}

/**
 * The live chat actors of this worker, keyed by chat, each with a mailbox that runs its jobs one
 * at a time in arrival order, while different chats run concurrently. Activation is lazy (on a
 * chat's first job); idle actors are passivated, and when there are too many the least recently
 * used idle ones go first.
 */
export class ChatActors {
  private readonly entries = new Map<string, Entry>();
  activations = 0;
  passivations = 0;
  reruns = 0;

  constructor(private readonly options: ChatActorsOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Queues `job` in the chat's mailbox; it resolves or rejects with the job. */
  enqueue<T>(chatId: string, partition: number, job: (actor: ChatActor) => Promise<T>): Promise<T> {
    const entry = this.entryFor(chatId, partition);
    entry.queued++;
    const run = entry.tail.then(async () => {
      // Counted by the actor at each read of its state, so a turn retried within its job counts each read.
      const { activations, reruns } = entry.actor;
      try {
        return await job(entry.actor);
      } finally {
        this.activations += entry.actor.activations - activations;
        this.reruns += entry.actor.reruns - reruns;
        entry.queued--;
        entry.lastUsed = Date.now();
      }
    });
    // A failed job must not block the jobs behind it; its caller sees the failure.
    entry.tail = run.catch(() => undefined);
    return run;
  }

  private entryFor(chatId: string, partition: number): Entry {
    const entry = this.entries.get(chatId) ?? {
      actor: new ChatActor(chatId, this.options.depsFor(chatId, partition)),
      partition,
      tail: Promise.resolve(),
      queued: 0,
      lastUsed: Date.now(),
    };
    // The first key is the least recently used: beyond capacity, the idle ones from the front go.
    touch(this.entries, chatId, entry);
    dropOldest(this.entries, this.options.capacity, {
      spare: (kept) => kept.queued > 0,
      onDrop: (dropped) => this.passivated(dropped),
    });
    return entry;
  }

  /** Passivates the actors idle for longer than the configured time. */
  passivateIdle(now = Date.now()): void {
    for (const [chatId, entry] of this.entries) {
      if (entry.queued === 0 && now - entry.lastUsed >= this.options.idleMs) this.remove(chatId, entry);
    }
  }

  /** Resolves once every job queued so far for the partition's chats has settled. */
  async drained(partition: number): Promise<void> {
    await Promise.all(
      [...this.entries.values()].filter((entry) => entry.partition === partition).map((entry) => entry.tail),
    );
  }

  /** Drops the partition's actors: another worker holds their chats now. */
  forgetPartition(partition: number): void {
    for (const [chatId, entry] of this.entries) if (entry.partition === partition) this.remove(chatId, entry);
  }

  private remove(chatId: string, entry: Entry) {
    this.entries.delete(chatId);
    this.passivated(entry);
  }

  private passivated(entry: Entry) {
    if (entry.actor.active) this.passivations++;
    entry.actor.passivate();
  }
}

/** Passivates the idle actors every so often (at least once a minute) until the returned stop is called. */
export function passivateIdleActors(actors: ChatActors, idleMs: number): () => void {
  const timer = setInterval(() => actors.passivateIdle(), Math.min(60_000, idleMs));
  return () => clearInterval(timer);
}
