import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';

/**
 * The chat settings ingress needs before any worker has seen the event: the button colour of the
 * welcome, which Viber accepts only as the HTTP answer to conversation_started. The worker keeps
 * this projection of its chats' state; ingress reads it. Port and NATS KV adapter in one: the
 * projection is small and has no other home.
 */
export interface ChatSettings {
  /** The chat's chosen button colour, or undefined when it has none (or the bus does not answer). */
  buttonColor(chatId: string): Promise<string | undefined>;
  setButtonColor(chatId: string, color: string): Promise<void>;
}

export const CHAT_SETTINGS_BUCKET = 'CHAT_SETTINGS';

/** Chat ids hold characters a KV key may not, and are personal data: keyed by digest. */
const keyOf = (chatId: string) => createHash('sha256').update(chatId).digest('hex');

export async function natsChatSettings(js: JetStreamClient, replicas: number, timeoutMs = 200): Promise<ChatSettings> {
  const kv: KV = await new Kvm(js).create(CHAT_SETTINGS_BUCKET, { history: 1, replicas });
  return {
    async buttonColor(chatId) {
      // The welcome must not wait for a slow bus: the default colour is a fine answer.
      const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
      const read = kv.get(keyOf(chatId)).then((entry) => (entry?.operation === 'PUT' ? entry.string() : undefined));
      return Promise.race([read.catch(() => undefined), timeout]);
    },
    async setButtonColor(chatId, color) {
      await kv.put(keyOf(chatId), color);
    },
  };
}
