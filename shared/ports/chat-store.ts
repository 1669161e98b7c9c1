import type { OutboundReply } from '../contracts/reply.js';
import type { ArmedTimer } from '../contracts/timer.js';

/** A side effect the saved state asked for and is waiting on; `id` is its idempotency key. */
export interface PendingEffect {
  id: string;
  /** The machine's invoked child that waits for the outcome. */
  childId: string;
  /** The effect's name in the machine's setup, and what it was given. */
  src: string;
  input: unknown;
}

/** One chat as the store keeps it: its dialogue state and what the last turn said. */
export interface ChatRecord {
  chatId: string;
  /** The machine version the snapshot was made with. */
  machineVersion: number;
  /** XState's persisted snapshot. */
  snapshot: unknown;
  /** Raised on every save; a save expecting another version is refused (optimistic concurrency). */
  version: number;
  /** Stream sequence of the last event applied: a redelivered event at or below it is not run again. */
  lastEventSeq: number;
  /** The replies of the last turn, published again if that turn's event is redelivered. */
  outbox: OutboundReply[];
  /**
   * Ids of the latest events applied, newest last. Catches a callback that reached the stream twice
   * (Viber resending after the bus's one-hour duplicate window, or a publish acknowledged twice).
   */
  recentEventIds: string[];
  /**
   * Effects the saved state asked for, in order, not yet settled: they run only after this save,
   * and whoever holds the chat next runs them again under the same ids if their outcome is missing.
   */
  pendingEffects: PendingEffect[];
  /**
   * The durable timers the saved state has armed (shared/bus/timers.ts). A timer that fires is run
   * only if its token is still here. (Records saved before timers existed load with none.)
   */
  timers: ArmedTimer[];
}

/** The port through which workers load and save chats. */
export interface ChatStore {
  /**
   * The chat's latest record. `verify` reads past any shortcut to the newest saved version: asked
   * for after a save was refused, when the record read before is known to be behind.
   */
  load(chatId: string, options?: { verify?: boolean }): Promise<ChatRecord | null>;
  /** Saves `record` if the stored version is still `expectedVersion` (0 for a new chat); false if not. */
  save(record: ChatRecord, expectedVersion: number): Promise<boolean>;
}
