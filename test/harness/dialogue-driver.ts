import { channelOf } from '../../shared/contracts/channel.js';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import { fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';
import { createLogger } from '../../shared/ops/logger.js';
import type { Reply } from '../../shared/contracts/reply.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import { chatDialogue, type Dialogue } from '../../machines/dialogue.js';
import { ChatActor, effectRunner, type EffectPorts } from '../../services/worker/index.js';
import { MemoryChatStore } from './memory-chat-store.js';

export const content = await fileContentCatalog().load();

type EventWithoutBase = ChatMachineEvent extends infer E
  ? E extends ChatMachineEvent
    ? Omit<E, 'id' | 'at'>
    : never
  : never;

/** The bus event a machine event came from: the worker takes chat events, not machine events. */
export function toChatEvent(event: ChatMachineEvent, chatId: string): ChatEvent {
  const { type, ...fields } = event;
  return { ...fields, kind: type.slice('chat.'.length), channel: channelOf(chatId), chatId } as ChatEvent;
}

const silent = createLogger('dialogue-driver', 'silent');

interface DriverOptions {
  chatId?: string;
  now?: () => number;
  dialogue?: Dialogue;
}

type ChatState = { value: unknown; context: Record<string, unknown> };

/**
 * Talks to the chat machine turn by turn exactly as a worker does: a ChatActor over a store that
 * keeps every version through JSON, its effects run by the worker's runner on the given ports
 * after each save. `dialogue` replaces the chat dialogue (a scenario's starting input, say).
 */
export function dialogueDriver(ports: EffectPorts, options: DriverOptions = {}) {
  const chatId = options.chatId ?? 'chat-1';
  const now = options.now ?? Date.now;
  const store = new MemoryChatStore();
  let published: Reply[] = [];
  const actor = new ChatActor(chatId, {
    dialogue: options.dialogue ?? chatDialogue(content),
    store,
    publishReplies: async (replies) => void published.push(...replies.map((outbound) => outbound.reply)),
    runEffect: effectRunner(ports, 2_000),
    fence: () => {},
    now,
  });
  let counter = 0;

  /** One event through the actor; the replies of its turn, effects' outcomes included. */
  async function send(event: EventWithoutBase): Promise<Reply[]> {
    const full = { ...event, id: `e${++counter}`, at: now() } as ChatMachineEvent;
    published = [];
    await actor.handle(toChatEvent(full, chatId), counter, { logger: silent, correlationId: full.id });
    return published;
  }

  const texts = (replies: Reply[]) => replies.map((r) => (r.kind === 'text' ? r.text : r.kind));
  const buttons = (replies: Reply[]) => replies.at(-1)?.keyboard?.buttons.map((b) => b.text) ?? [];

  return {
    send,
    say: (text: string) => send({ type: 'chat.text', text }),
    texts,
    buttons,
    state: () => (store.latest(chatId)?.snapshot as ChatState | undefined) ?? null,
    /** The actor and its store, for tests that look at versions and pending effects. */
    actor,
    store,
  };
}
