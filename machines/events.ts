import type { ChatEvent } from '../shared/chat-event.js';
import type { Reply } from '../shared/reply.js';

/** What the dialogue machines receive: the chat event, typed by kind, time included. */
/** Every event carries its id (the key that makes its side effects idempotent) and its time. */
interface EventBase {
  id: string;
  at: number;
}

export type ChatMachineEvent = EventBase &
  (
    | { type: 'chat.opened' }
    | { type: 'chat.subscribed' }
    | { type: 'chat.unsubscribed' }
    | { type: 'chat.text'; text: string }
    | { type: 'chat.contact'; phone?: string }
    | { type: 'chat.location'; lat: number; lon: number }
    | { type: 'chat.media'; mediaType: string }
    | { type: 'chat.delivery-failed'; reason: string }
    | { type: 'chat.payment'; orderId: string; status: 'succeeded' | 'failed' | 'cancelled'; account: string; amount: number }
  );

/** What the machines say: collected by the worker and sent only after the new state is saved. */
export interface ReplyEmitted {
  type: 'reply';
  reply: Reply;
}

export function toMachineEvent(event: ChatEvent): ChatMachineEvent {
  const base = { id: event.id, at: event.at };
  switch (event.kind) {
    case 'opened':
      return { ...base, type: 'chat.opened' };
    case 'subscribed':
      return { ...base, type: 'chat.subscribed' };
    case 'unsubscribed':
      return { ...base, type: 'chat.unsubscribed' };
    case 'text':
      return { ...base, type: 'chat.text', text: event.text };
    case 'contact':
      return { ...base, type: 'chat.contact', ...(event.phone ? { phone: event.phone } : {}) };
    case 'location':
      return { ...base, type: 'chat.location', lat: event.lat, lon: event.lon };
    case 'media':
      return { ...base, type: 'chat.media', mediaType: event.mediaType };
    case 'delivery-failed':
      return { ...base, type: 'chat.delivery-failed', reason: event.reason };
    case 'payment':
      return { ...base, type: 'chat.payment', orderId: event.orderId, status: event.status, account: event.account, amount: event.amount };
  }
}

/** Button presses and typed commands compare without case, spaces or a trailing full stop. */
export function normaliseCommand(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').replace(/[.!]+$/, '').toLowerCase();
}
