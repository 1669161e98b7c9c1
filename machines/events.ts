import type { ChatEvent } from '../shared/chat-event.js';
import type { Reply } from '../shared/reply.js';

/** What the dialogue machines receive: the chat event, typed by kind, time included. */
export type ChatMachineEvent =
  | { type: 'chat.opened'; at: number }
  | { type: 'chat.subscribed'; at: number }
  | { type: 'chat.unsubscribed'; at: number }
  | { type: 'chat.text'; at: number; text: string }
  | { type: 'chat.contact'; at: number; phone?: string }
  | { type: 'chat.location'; at: number; lat: number; lon: number }
  | { type: 'chat.media'; at: number; mediaType: string }
  | { type: 'chat.delivery-failed'; at: number; reason: string };

/** What the machines say: collected by the worker and sent only after the new state is saved. */
export interface ReplyEmitted {
  type: 'reply';
  reply: Reply;
}

export function toMachineEvent(event: ChatEvent): ChatMachineEvent {
  const at = event.at;
  switch (event.kind) {
    case 'opened':
      return { type: 'chat.opened', at };
    case 'subscribed':
      return { type: 'chat.subscribed', at };
    case 'unsubscribed':
      return { type: 'chat.unsubscribed', at };
    case 'text':
      return { type: 'chat.text', at, text: event.text };
    case 'contact':
      return { type: 'chat.contact', at, ...(event.phone ? { phone: event.phone } : {}) };
    case 'location':
      return { type: 'chat.location', at, lat: event.lat, lon: event.lon };
    case 'media':
      return { type: 'chat.media', at, mediaType: event.mediaType };
    case 'delivery-failed':
      return { type: 'chat.delivery-failed', at, reason: event.reason };
  }
}

/** Button presses and typed commands compare without case, spaces or a trailing full stop. */
export function normaliseCommand(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').replace(/[.!]+$/, '').toLowerCase();
}
