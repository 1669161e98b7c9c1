import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';

/**
 * Chats whose replies wait for a person: a reply of the chat was filed as a dead letter (Viber
 * refused it for good, or it expired), so every later reply of that chat is filed behind it
 * instead of being sent, until `npm run replay-dead-letters -- --replay` has delivered them all in
 * order and lifted the park. One key per chat (a digest of its id: no personal data in the bucket).
 *
 * Every write is a compare-and-set on the key's revision. That is what lets the replay lift a park
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

const BUCKET = 'PARKED_CHATS';

export const parkKey = (chatId: string) => createHash('sha256').update(chatId).digest('hex').slice(0, 40);

const encoder = new TextEncoder();
const live = (entry: KvEntry | null): entry is KvEntry => entry !== null && entry.operation === 'PUT';

export async function natsParkedChats(js: JetStreamClient, replicas: number): Promise<ParkedChats> {
  // Reads from the stream's leader, not any replica: a park must be seen by the very next reply.
  const kv: KV = await new Kvm(js).create(BUCKET, { history: 1, replicas, allow_direct: false });

  const read = async (chatId: string): Promise<ParkEntry | null> => {
    const entry = await kv.get(parkKey(chatId));
    return live(entry) ? { park: entry.json<Park>(), revision: entry.revision } : null;
  };
  const write = (chatId: string, park: Park, revision: number | null) => {
    const value = encoder.encode(JSON.stringify(park));
    return revision === null ? kv.create(parkKey(chatId), value) : kv.update(parkKey(chatId), value, revision);
  };
  const oneMoreBehind = (park: Park): Park => ({ ...park, behind: park.behind + 1 });

  /** Applies `change` to the chat's park (null when there is none) until a compare-and-set wins. */
  async function update(chatId: string, change: (current: ParkEntry | null) => Park | undefined): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const current = await read(chatId);
      const next = change(current);
      if (next === undefined) return false;
      try {
        await write(chatId, next, current?.revision ?? null);
        return true;
      } catch (error) {
        // Someone wrote between our read and write: read again. Anything else is a real failure.
        if (attempt >= 10) throw error;
      }
    }
  }

  return {
    get: read,
    async park(chatId, head, reason) {
      const since = new Date().toISOString();
      await update(chatId, (current) => (current ? oneMoreBehind(current.park) : { head, reason, since, behind: 0 }));
    },
    countBehind(chatId, entry) {
      // Only the park that was read counts: one lifted and parked again is another head's.
      const same = (current: ParkEntry | null): current is ParkEntry => current?.park.head === entry.park.head;
      return update(chatId, (current) => (same(current) ? oneMoreBehind(current.park) : undefined));
    },
    async lift(chatId, revision) {
      try {
        await kv.delete(parkKey(chatId), { previousSeq: revision });
        return true;
      } catch (error) {
        if ((await read(chatId))?.revision === revision) throw error;
        return false;
      }
    },
    async count() {
      // Keys, not values: a lifted park leaves a delete marker behind.
      let parked = 0;
      for await (const _key of await kv.keys()) parked++;
      return parked;
    },
  };
}
