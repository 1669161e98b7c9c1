import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { Park, ParkedChats, ParkEntry } from '../ports/parked-chats.js';
import { sha256Hex } from '../ops/digest.js';

export const PARKED_CHATS_BUCKET = 'PARKED_CHATS';

const parkKey = (chatId: string) => sha256Hex(chatId, 40);

const encoder = new TextEncoder();
const live = (entry: KvEntry | null): entry is KvEntry => entry !== null && entry.operation === 'PUT';

/** The parks in a NATS KV bucket, one key per chat (a digest of its id: no personal data in the bucket). */
export async function natsParkedChats(js: JetStreamClient, replicas: number): Promise<ParkedChats> {
  // Reads from the stream's leader, not any replica: a park must be seen by the very next reply.
  const kv: KV = await new Kvm(js).create(PARKED_CHATS_BUCKET, { history: 1, replicas, allow_direct: false });

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
