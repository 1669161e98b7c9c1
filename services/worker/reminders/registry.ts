import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { sha256Hex } from '../../../shared/ops/digest.js';

export const REMINDER_CHATS_BUCKET = 'REMINDER_CHATS';

/** A chat that consented to reminders, and the accounts it had linked when it last changed. */
export interface ReminderEntry {
  chatId: string;
  accounts: string[];
}

export interface ReminderRegistry {
  set(chatId: string, enabled: boolean, accounts: string[]): Promise<void>;
  /** Every consenting chat, read key by key (the bucket holds only the chats that said yes). */
  entries(): AsyncIterable<ReminderEntry>;
}

const keyOf = (chatId: string) => sha256Hex(chatId);

/**
 * Who asked for reminders, in a NATS KV bucket keyed by a digest of the chat id: the fan-out reads
 * this small set instead of querying every chat in the store (FerretDB would scan). It is only the
 * address list: each chat's machine decides again (consent, account still linked), so an entry
 * left behind by a failed delete sends nothing.
 */
export async function natsReminderRegistry(js: JetStreamClient, replicas: number): Promise<ReminderRegistry> {
  const kv: KV = await new Kvm(js).create(REMINDER_CHATS_BUCKET, { history: 1, replicas });
  return {
    async set(chatId, enabled, accounts) {
      if (enabled && accounts.length > 0)
        await kv.put(keyOf(chatId), JSON.stringify({ chatId, accounts } satisfies ReminderEntry));
      else await kv.delete(keyOf(chatId));
    },
    async *entries() {
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        if (entry?.operation !== 'PUT') continue;
        try {
          yield entry.json<ReminderEntry>();
        } catch {
          // Not ours to judge here: skipped.
        }
      }
    },
  };
}
