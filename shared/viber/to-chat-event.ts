import { ChatEventKind, type ChatEvent } from '../contracts/chat-event.js';
import type { ViberCallback, ViberInboundMessage } from './types.js';

export class MalformedCallbackError extends Error {
  override name = 'MalformedCallbackError';
}

/** Callbacks that carry nothing for the dialogue: acknowledged to Viber, not put on the bus. */
const RECEIPT_EVENTS = new Set(['webhook', 'delivered', 'seen']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => (typeof value === 'string' && value.length > 0) || typeof value === 'number';

function requireField<T>(ok: boolean, value: T, what: string): T {
  if (!ok) throw new MalformedCallbackError(`missing or invalid ${what}`);
  return value;
}

/**
 * Checks the parts of a parsed body that every callback must have. Returns the callback with its
 * ids as strings, or throws MalformedCallbackError naming the first bad field.
 */
export function readCallback(body: unknown): ViberCallback {
  if (!isObject(body)) throw new MalformedCallbackError('body is not a JSON object');
  const event = requireField(typeof body.event === 'string', body.event as string, 'event');
  const token = body.message_token;
  requireField(isId(token), token, 'message_token');
  requireField(typeof body.timestamp === 'number', body.timestamp, 'timestamp');
  return { ...body, event, message_token: String(token) } as ViberCallback;
}

export function isReceipt(callback: ViberCallback): boolean {
  return RECEIPT_EVENTS.has(callback.event);
}

/** Turns a Viber callback into the channel-neutral event, or null for an event type the bot does not know. */
export function toChatEvent(callback: ViberCallback): ChatEvent | null {
  const base = { id: callback.message_token, channel: 'viber' as const, at: callback.timestamp };
  switch (callback.event) {
    case 'conversation_started': {
      const user = requireField(isObject(callback.user) && isId(callback.user.id), callback.user, 'user.id');
      return { ...base, chatId: String(user.id), kind: ChatEventKind.Opened, context: callback.context, name: user.name };
    }
    case 'subscribed': {
      const user = requireField(isObject(callback.user) && isId(callback.user.id), callback.user, 'user.id');
      return { ...base, chatId: String(user.id), kind: ChatEventKind.Subscribed, name: user.name };
    }
    case 'unsubscribed':
      return { ...base, chatId: requireField(isId(callback.user_id), String(callback.user_id), 'user_id'), kind: ChatEventKind.Unsubscribed };
    case 'failed':
      return {
        ...base,
        chatId: requireField(isId(callback.user_id), String(callback.user_id), 'user_id'),
        kind: ChatEventKind.DeliveryFailed,
        reason: typeof callback.desc === 'string' ? callback.desc : 'unknown',
      };
    case 'message': {
      const sender = requireField(isObject(callback.sender) && isId(callback.sender.id), callback.sender, 'sender.id');
      const message = requireField(isObject(callback.message) && typeof callback.message.type === 'string', callback.message, 'message.type');
      return { ...base, chatId: String(sender.id), ...fromMessage(message, sender.name) } as ChatEvent;
    }
    default:
      return null;
  }
}

/** A chat event without the fields every event has. */
type MessagePart = ChatEvent extends infer E ? (E extends ChatEvent ? Omit<E, 'id' | 'channel' | 'chatId' | 'at'> : never) : never;

function fromMessage(message: ViberInboundMessage, name: string | undefined): MessagePart {
  switch (message.type) {
    case 'text':
      return { kind: ChatEventKind.Text, text: typeof message.text === 'string' ? message.text : '', name };
    case 'contact': {
      const phone = message.contact?.phone_number;
      return { kind: ChatEventKind.Contact, phone: typeof phone === 'string' && phone !== '' ? phone : undefined, name: message.contact?.name };
    }
    case 'location': {
      const { lat, lon } = message.location ?? {};
      if (typeof lat === 'number' && typeof lon === 'number') return { kind: ChatEventKind.Location, lat, lon };
      return { kind: ChatEventKind.Media, mediaType: 'location' };
    }
    default:
      return { kind: ChatEventKind.Media, mediaType: message.type };
  }
}
