/**
 * Chats whose replies wait for a person: a reply of the chat was filed as a dead letter (Viber
 * refused it for good, or it expired), so every later reply of that chat is filed behind it
 * instead of being sent, until `npm run replay-dead-letters -- --replay` has delivered them all in
 * order and lifted the park.
 *
 * Every write is a compare-and-set on the park's revision. That is what lets the replay lift a park
 * safely while outbound keeps filing: a reply filed after the replay last looked changes the
 * revision, so the lift fails and the replay looks again (see services/outbound/replay.ts).
 */
export interface Park {
  /** Stream sequence of the reply that was filed first: the one the others wait behind. */
  head: number;
  reason: string;
  since: string;
  /** Replies filed behind the head so far. */
  behind: number;
}

export interface ParkEntry {
  park: Park;
  revision: number;
}

export interface ParkedChats {
  get(chatId: string): Promise<ParkEntry | null>;
  /** Parks the chat with this reply at its head; a chat parked already counts one more behind. */
  park(chatId: string, head: number, reason: string): Promise<void>;
  /** Counts one more reply filed behind the park read as `entry`; false when the park was lifted meanwhile. */
  countBehind(chatId: string, entry: ParkEntry): Promise<boolean>;
  /** Lifts the park unless it changed since it was read at `revision`; false when it did. */
  lift(chatId: string, revision: number): Promise<boolean>;
  /** How many chats are parked now. */
  count(): Promise<number>;
}
