import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { deleteDeadLetter, fileDeadLetter } from '../../shared/bus/dead-letters.js';
import type { DeadLetterFiler } from '../../shared/bus/partitioned-consumer.js';
import { parseOutboundReply } from '../../shared/contracts/reply.js';
import type { ParkedChats, ParkEntry } from '../../shared/ports/parked-chats.js';
import { KnownParks } from './known-parks.js';

export interface Parking {
  /**
   * Notes each reply the bus hands this process, before anything is done with it: what lets
   * `parkOf` answer from what it read before (services/outbound/known-parks.ts).
   */
  handed(msg: JsMsg): void;
  /** The chat's park, or null when its replies go out as usual. */
  parkOf(msg: JsMsg, chatId: string): Promise<ParkEntry | null>;
  /**
   * Files a reply that is given up on (refused for good, expired, failing too often), then parks
   * its chat, so that the chat's later replies wait behind it. Filed first: a crash in between
   * brings the reply back unparked, it fails again and is filed again under the same message id
   * (kept once), and the park follows; the other order would file it as waiting behind itself.
   */
  fileHead: DeadLetterFiler;
  /**
   * Files a reply of a parked chat behind the replies waiting before it. "lifted": the replay
   * lifted the park after its last look and before this letter counted, so this reply is the
   * chat's first unsent one; its letter is taken back and the caller sends it.
   */
  fileBehind(msg: JsMsg, chatId: string, entry: ParkEntry): Promise<'filed' | 'lifted'>;
}

const chatOf = (msg: JsMsg): string | undefined => parseOutboundReply(msg.data)?.chatId;

export interface ParkingOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  parked: ParkedChats;
  group: string;
}

export function parking(options: ParkingOptions): Parking {
  const { js, jsm, parked, group } = options;
  const file = (msg: JsMsg, reason: string) => fileDeadLetter(js, msg, group, reason, msg.info.deliveryCount);
  const known = new KnownParks();
  return {
    handed: (msg) => known.delivered(msg.info.consumer, msg.info.deliverySequence),
    async parkOf(msg, chatId) {
      const remembered = known.get(msg.info.consumer, chatId);
      if (remembered !== undefined) return remembered;
      const entry = await parked.get(chatId);
      known.remember(msg.info.consumer, chatId, entry);
      return entry;
    },
    async fileHead(msg, reason) {
      await file(msg, reason);
      // A message that is not a reply has no chat to hold back.
      const chatId = chatOf(msg);
      if (chatId === undefined) return;
      known.forget(msg.info.consumer, chatId);
      await parked.park(chatId, msg.seq, reason);
    },
    async fileBehind(msg, chatId, entry) {
      const letter = await file(msg, `parked behind ${entry.park.head}`);
      if (await parked.countBehind(chatId, entry)) return 'filed';
      known.forget(msg.info.consumer, chatId);
      await deleteDeadLetter(jsm, letter);
      return 'lifted';
    },
  };
}
