import type { InspectionEvent } from 'xstate';
import type { ChatEvent } from '../../shared/chat-event.js';
import type { OutboundReply } from '../../shared/reply.js';
import type { Logger } from '../../shared/logger.js';
import { toMachineEvent } from '../../machines/events.js';
import type { Dialogue } from '../../machines/dialogue.js';
import type { ChatStore } from './chat-store.js';
import { runTurn } from './turn.js';

export interface ApplyEventDeps {
  store: ChatStore;
  dialogue: Dialogue;
  /** Puts the replies on the bus; idempotent per reply id. */
  publishReplies(replies: OutboundReply[]): Promise<void>;
  turnTimeoutMs: number;
  inspect?: (event: InspectionEvent) => void;
  /** Called at each step of a turn; lets the fault tests stop a worker at a chosen point. */
  onStep?: (step: TurnStep) => void;
}

export type TurnStep = 'loaded' | 'saved' | 'published';

export type ApplyOutcome = 'applied' | 'redelivered' | 'duplicate' | 'stale';

/** How many applied event ids a chat remembers. */
export const RECENT_EVENT_IDS = 32;

/** A lost race against another writer is retried this often before the event goes back to the bus. */
const MAX_CONFLICTS = 5;

/**
 * Applies one chat event exactly once: runs the turn, saves the snapshot together with the turn's
 * replies (the outbox) and the event's sequence, and only then publishes the replies. A
 * redelivered event finds its sequence already saved and publishes the same replies again, which
 * the bus deduplicates by reply id.
 */
export async function applyChatEvent(deps: ApplyEventDeps, event: ChatEvent, seq: number, logger: Logger): Promise<ApplyOutcome> {
  for (let attempt = 1; attempt <= MAX_CONFLICTS; attempt++) {
    // After a refused save the record read before is behind: read past any shortcut.
    const record = await deps.store.load(event.chatId, { verify: attempt > 1 });
    deps.onStep?.('loaded');
    if (record && record.lastEventSeq === seq) {
      await deps.publishReplies(record.outbox);
      return 'redelivered';
    }
    if (record && record.lastEventSeq > seq) return 'stale';
    // The same callback stored twice under two sequences: its turn already ran.
    if (record?.recentEventIds.includes(event.id)) return 'duplicate';

    const turn = await runTurn({
      dialogue: deps.dialogue,
      chatId: event.chatId,
      saved: record && { snapshot: record.snapshot, machineVersion: record.machineVersion },
      event: toMachineEvent(event),
      timeoutMs: deps.turnTimeoutMs,
      inspect: deps.inspect,
    });
    if (turn.reset) logger.warn({ savedVersion: record?.machineVersion, version: deps.dialogue.version }, 'saved dialogue state could not be restored; chat restarted');

    const outbox = turn.replies.map((reply, position) => ({ id: `${event.id}:${position}`, channel: event.channel, chatId: event.chatId, reply }));
    const expectedVersion = record?.version ?? 0;
    const saved = await deps.store.save(
      {
        chatId: event.chatId,
        machineVersion: deps.dialogue.version,
        snapshot: turn.snapshot,
        version: expectedVersion + 1,
        lastEventSeq: seq,
        outbox,
        recentEventIds: [...(record?.recentEventIds ?? []), event.id].slice(-RECENT_EVENT_IDS),
      },
      expectedVersion,
    );
    if (!saved) {
      logger.warn({ attempt }, 'another writer saved this chat first; running the turn again on its state');
      continue;
    }
    deps.onStep?.('saved');
    await deps.publishReplies(outbox);
    deps.onStep?.('published');
    return 'applied';
  }
  throw new Error(`chat kept changing under ${MAX_CONFLICTS} attempts; the event goes back to the bus`);
}
