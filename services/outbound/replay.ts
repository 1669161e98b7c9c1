import type { JetStreamManager } from '@nats-io/jetstream';
import { deleteDeadLetter, listDeadLetters, type DeadLetter } from '../../shared/bus/dead-letters.js';
import type { Logger } from '../../shared/ops/logger.js';
import { parseOutboundReply, type OutboundReply } from '../../shared/contracts/reply.js';
import type { ParkedChats } from '../../shared/ports/parked-chats.js';
import { sendAndRecord, type ReplySenderDeps } from './send-reply.js';

export interface ReplayDeps extends ReplySenderDeps {
  jsm: JetStreamManager;
  parked: ParkedChats;
  timeoutMs: number;
  logger: Logger;
  group: string;
}

export interface ChatReplay {
  chatId: string;
  sent: number;
  /** Letters of replies that had reached Viber already (a crash between sending and recording). */
  alreadySent: number;
  /** Why the chat is still parked, when a letter could not be sent. */
  failure?: string;
}

export interface ReplayReport {
  chats: ChatReplay[];
  /** Letters that hold no reply (bad data): left where they are. */
  unreadable: DeadLetter[];
}

const replyOf = (letter: DeadLetter): OutboundReply | undefined => parseOutboundReply(letter.data);

/** The group's letters by chat, kept current by reading only what was filed since the last read. */
class LettersByChat {
  private readonly byChat = new Map<string, { letter: DeadLetter; reply: OutboundReply }[]>();
  readonly unreadable: DeadLetter[] = [];
  private lastSeq = 0;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly group: string,
  ) {}

  async refresh(): Promise<void> {
    for (const letter of await listDeadLetters(this.jsm, this.group, this.lastSeq)) {
      this.lastSeq = Math.max(this.lastSeq, letter.seq);
      const reply = replyOf(letter);
      if (!reply) this.unreadable.push(letter);
      else this.byChat.set(reply.chatId, [...(this.byChat.get(reply.chatId) ?? []), { letter, reply }]);
    }
  }

  chats(): string[] {
    return [...this.byChat.keys()];
  }

  of(chatId: string) {
    return this.byChat.get(chatId) ?? [];
  }

  drop(chatId: string): void {
    this.byChat.get(chatId)?.shift();
  }
}

async function replayChat(deps: ReplayDeps, letters: LettersByChat, chatId: string): Promise<ChatReplay> {
  const result: ChatReplay = { chatId, sent: 0, alreadySent: 0 };
  for (;;) {
    // The park's revision first, then the look at the letters: see the comment at the top.
    const park = await deps.parked.get(chatId);
    await letters.refresh();
    const waiting = letters.of(chatId);
    if (waiting.length === 0) {
      if (!park || (await deps.parked.lift(chatId, park.revision))) return result;
      continue;
    }
    for (const { letter, reply } of [...waiting]) {
      try {
        if (await deps.sent.wasSent(reply.id)) result.alreadySent++;
        else
          await sendAndRecord(deps, reply, { timeoutMs: deps.timeoutMs, untried: false }, deps.logger).then(
            () => result.sent++,
          );
      } catch (error) {
        return { ...result, failure: error instanceof Error ? error.message : String(error) };
      }
      await deleteDeadLetter(deps.jsm, letter.seq);
      letters.drop(chatId);
    }
  }
}

/**
 * Replays outbound's dead letters chat by chat, each chat's in the order they were filed, which is
 * the chat's order: a partition is consumed one message at a time, so a chat's head reply is filed
 * first and every later reply of that chat is filed behind it, in stream order.
 *
 * The replay sends them to Viber itself rather than putting them back on the stream, because a
 * reply put back lands behind replies of the chat that came meanwhile. While it runs the chat stays
 * parked, so outbound keeps filing the chat's new replies behind; the replay picks those up too.
 * It lifts the park only when a look at the letters found none left, and only if the park's
 * revision is still the one read before that look: outbound files a letter first and then counts
 * it on the park (a compare-and-set), so a letter filed after the look changes the revision and the
 * lift fails, and the replay looks again. Outbound, finding the park lifted under a letter it just
 * filed, takes the letter back and sends the reply itself: every earlier reply was sent by then.
 * So every reply goes out after all earlier replies of its chat, and once (SENT_REPLIES), but for
 * the window every send has: one that reached Viber without being recorded.
 *
 * A chat whose letter fails stays parked, its remaining letters in place.
 */
export async function replayOutboundLetters(deps: ReplayDeps): Promise<ReplayReport> {
  const letters = new LettersByChat(deps.jsm, deps.group);
  await letters.refresh();
  const chats: ChatReplay[] = [];
  for (const chatId of letters.chats()) chats.push(await replayChat(deps, letters, chatId));
  return { chats, unreadable: letters.unreadable };
}
