import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { ChatSettings } from '../ports/chat-settings.js';

export const CHAT_SETTINGS_BUCKET = 'CHAT_SETTINGS';

/** Chat ids hold characters a KV key may not, and are personal data: keyed by digest. */
const keyOf = (chatId: string) => createHash('sha256').update(chatId).digest('hex');

/** The settings in a NATS KV bucket, which both ingress and the workers reach. */
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
