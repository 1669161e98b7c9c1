import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';

/**
 * Which replies have reached Viber. A reply redelivered because its outbound died after sending
 * but before acknowledging is found here and not sent twice. Kept a day: redeliveries come within
 * minutes, and ids are unique per event anyway.
 */
export interface SentReplies {
  wasSent(replyId: string): Promise<boolean>;
  markSent(replyId: string): Promise<void>;
}

const BUCKET = 'SENT_REPLIES';
const KEEP_MS = 24 * 60 * 60 * 1000;

/** KV keys allow only a few characters; reply ids contain colons and more. */
const keyOf = (replyId: string) => createHash('sha256').update(replyId).digest('hex').slice(0, 40);

export async function natsSentReplies(js: JetStreamClient, replicas: number): Promise<SentReplies> {
  const kv: KV = await new Kvm(js).create(BUCKET, { ttl: KEEP_MS, history: 1, replicas });
  return {
    async wasSent(replyId) {
      return (await kv.get(keyOf(replyId))) !== null;
    },
    async markSent(replyId) {
      await kv.put(keyOf(replyId), '1');
    },
  };
}
