import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { dropOldest } from '../ops/bounded-map.js';
import type { SentReplies } from '../ports/sent-replies.js';
import { sha256Hex } from '../ops/digest.js';

const BUCKET = 'SENT_REPLIES';
const KEEP_MS = 24 * 60 * 60 * 1000;
/** Ids this process sent lately, remembered even when the bus could not record them. */
const REMEMBERED = 10_000;

/** KV keys allow only a few characters; reply ids contain colons and more. */
const keyOf = (replyId: string) => sha256Hex(replyId, 40);

/**
 * Recorded in a NATS KV bucket, so every outbound process sees them, and remembered in this process
 * too: when the bus goes down between the send and the record, the redelivery usually comes back
 * to the same process, which then knows.
 */
export async function natsSentReplies(js: JetStreamClient, replicas: number): Promise<SentReplies> {
  const kv: KV = await new Kvm(js).create(BUCKET, { ttl: KEEP_MS, history: 1, replicas });
  const remembered = new Set<string>();
  return {
    async wasSent(replyId) {
      return remembered.has(replyId) || (await kv.get(keyOf(replyId))) !== null;
    },
    async markSent(replyId) {
      remembered.add(replyId);
      dropOldest(remembered, REMEMBERED);
      await kv.put(keyOf(replyId), '1');
    },
  };
}
