import type { ChatEvent, ChatEventKind } from '../shared/contracts/chat-event.js';
import type { Reply } from '../shared/contracts/reply.js';

/** What the chat event carries that the machine does not need: the channel's routing fields. */
type RoutingFields = 'kind' | 'channel' | 'chatId';

/**
 * What the dialogue machines receive: each kind of chat event (shared/contracts/chat-event.ts) as the event
 * type `chat.<kind>`, with the event's own fields, its id (the key that makes its side effects
 * idempotent) and its time. Made from `ChatEvent` kind by kind, so the two cannot drift.
 */
export type ChatMachineEvent = {
  [K in ChatEventKind]: Omit<Extract<ChatEvent, { kind: K }>, RoutingFields> & { type: `chat.${K}` };
}[ChatEventKind];

/** The machine event of one kind, e.g. `ChatMachineEventOf<'chat.text'>`. */
export type ChatMachineEventOf<T extends ChatMachineEvent['type']> = Extract<ChatMachineEvent, { type: T }>;

/** What the machines say: collected by the worker and sent only after the new state is saved. */
export interface ReplyEmitted {
  type: 'reply';
  reply: Reply;
}

export function toMachineEvent(event: ChatEvent): ChatMachineEvent {
  const { kind, channel: _channel, chatId: _chatId, ...fields } = event;
  // Each kind's fields go with its own type: the mapped type above says so, TypeScript cannot follow the spread.
  return { ...fields, type: `chat.${kind}` } as ChatMachineEvent;
}

/** Button presses and typed commands compare without case, spaces or a trailing full stop. */
export function normaliseCommand(text: string): string {
  return text
    .normalize('NFC')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[.!]+$/, '')
    .toLowerCase();
}
