import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { ChatSettings } from '../ports/chat-settings.js';
import { sha256Hex } from '../ops/digest.js';
import { withTimeout } from '../ops/with-timeout.js';

const CHAT_SETTINGS_BUCKET = 'CHAT_SETTINGS';

/** Chat ids hold characters a KV key may not, and are personal data: keyed by digest. */
const keyOf = (chatId: string) => sha256Hex(chatId);

/** The settings in a NATS KV bucket, which both ingress and the workers reach. */
export async function natsChatSettings(js: JetStreamClient, replicas: number, timeoutMs = 200): Promise<ChatSettings> {
  const kv: KV = await new Kvm(js).create(CHAT_SETTINGS_BUCKET, { history: 1, replicas });
  return {
    async buttonColor(chatId) {
      // The welcome must not wait for a slow bus: the default colour is a fine answer.
      const read = kv.get(keyOf(chatId)).then((entry) => (entry?.operation === 'PUT' ? entry.string() : undefined));
      return withTimeout(read, timeoutMs, 'the chat settings').catch(() => undefined);
    },
    async setButtonColor(chatId, color) {
      await kv.put(keyOf(chatId), color);
    },
  };
}
